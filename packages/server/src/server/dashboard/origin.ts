import type { FastifyRequest } from 'fastify';

/**
 * CSRF defence for requests authenticated by the session cookie (a second line behind
 * `SameSite=Strict`): a state-changing request must say it comes from this very page. Browsers set
 * `Origin` on every cross-origin request and on same-origin `fetch` POSTs, and cannot be made to forge
 * it; `Sec-Fetch-Site`, where sent, must agree.
 *
 * The scheme may be https even when we see http: behind a TLS-terminating proxy the browser's origin is
 * https. No other site can produce an Origin naming our own host.
 */
export function comesFromOwnOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  const schemeOk = parsed.protocol === 'https:' || parsed.protocol === `${request.protocol}:`;
  return schemeOk && parsed.host === request.host && parsed.origin === origin;
}

/** Whether the browser reached us over HTTPS, directly or through a proxy that says so. */
export function viaHttps(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  // Trusting the header here is safe whatever TRUST_PROXY says: all it can do is mark the cookie
  // Secure, which only ever withholds it from plain-HTTP requests.
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first === 'https';
}

/** GET, HEAD and OPTIONS change nothing; everything else must pass the origin check. */
export function changesState(request: FastifyRequest): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
}
