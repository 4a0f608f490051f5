/**
 * Errors of the Persona API client. Every message names the request (method and path, never the query
 * string's values beyond what we built), Persona's `Request-Id` when there was one (what Persona support
 * asks for), and what to do. The API key never appears in any of them.
 */

/** What every client error carries, for logs and for tests. */
export interface ApiRequestInfo {
  method: string;
  /** The path below the API base, e.g. `/events` (no query string). */
  path: string;
  /** HTTP status; 0 when no answer arrived (network error, timeout). */
  status: number;
  /** Persona's `Request-Id` header (`req_…`), when an answer arrived. */
  requestId: string | null;
}

/** Any failure of a Persona API call: after retries, or one that retrying cannot fix. */
export class PersonaApiError extends Error {
  override readonly name: string = 'PersonaApiError';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly requestId: string | null;
  /** A stable code for metrics and logs: `unauthorized`, `forbidden`, `rate_limited`, `server_error`, … */
  readonly code: string;

  constructor(info: ApiRequestInfo, code: string, message: string) {
    super(message);
    this.method = info.method;
    this.path = info.path;
    this.status = info.status;
    this.requestId = info.requestId;
    this.code = code;
  }
}

/**
 * 401 or 403: the key is wrong, revoked, from another environment, or lacks a permission. Retrying
 * cannot help, so callers (the reconciler) back off for long instead of hammering the API.
 */
export class PersonaApiAuthError extends PersonaApiError {
  override readonly name = 'PersonaApiAuthError';
  /** The documented permission the endpoint needs, e.g. `event.read`; null when Persona documents none. */
  readonly permission: string | null;

  constructor(info: ApiRequestInfo, permission: string | null) {
    super(info, info.status === 401 ? 'unauthorized' : 'forbidden', authMessage(info, permission));
    this.permission = permission;
  }
}

/** `Request-Id req_…` for messages, or nothing when Persona sent none. */
export function requestIdSuffix(requestId: string | null): string {
  return requestId ? `, Request-Id ${requestId}` : '';
}

// Only permissions Persona documents are named; where its documentation names none, the message says
// which call was refused, so the user can find the matching permission rather than a guessed one.
function authMessage(info: ApiRequestInfo, permission: string | null): string {
  const call = `${info.method} ${info.path}`;
  if (info.status === 401) {
    const create = permission
      ? `Create a key with the \`${permission}\` permission`
      : `Create a key allowed to ${call}`;
    return (
      `Persona rejected PERSONA_API_KEY on ${call} (401 Unauthorized${requestIdSuffix(info.requestId)}): ` +
      'the key is wrong, revoked, or belongs to another environment (sandbox keys start with persona_sandbox_, ' +
      `production keys with persona_production_). ${create} in Persona Dashboard → API → API Keys and set PERSONA_API_KEY.`
    );
  }
  const grant = permission
    ? `give the key the \`${permission}\` permission in Persona Dashboard → API → API Keys.`
    : `Persona documents no permission name for this call: in Persona Dashboard → API → API Keys → Edit → Permissions, allow the key to ${call}.`;
  return `PERSONA_API_KEY is not allowed to ${call} (403 Forbidden${requestIdSuffix(info.requestId)}): ${grant}`;
}
