/**
 * The dashboard's one way to talk to the service: same-origin JSON requests carrying the session
 * cookie. Failures become an ApiError with the API's stable code and message; a 401 also tells the
 * app the session is gone, so it can show the sign-in form.
 */

/** An answer other than 2xx, or no answer at all (`code: 'network'`). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onSignedOut = () => {};

/** Called whenever the service answers 401 (session expired or signed out elsewhere). */
export function whenSignedOut(listener) {
  onSignedOut = listener;
}

/** `GET` (default) or another method; `body` is sent as JSON. Resolves to the parsed JSON, or null for 204. */
export async function api(path, { method = 'GET', body } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(
      0,
      'network',
      'The service did not answer. Check that it is running and reachable, then retry.',
    );
  }
  if (response.status === 204) return null;
  const json = await response.json().catch(() => null);
  if (response.ok) return json;
  const error = json?.error;
  if (response.status === 401 && !path.startsWith('/admin/session')) onSignedOut();
  throw new ApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? `The service answered ${response.status}.`,
  );
}

/** Builds a query string from the entries that have a value. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
