/**
 * Headers on every answer of the service, whatever its path or query: the Content-Security-Policy
 * allows scripts, styles and connections to this origin only — no inline script or style, no eval,
 * nothing from elsewhere, no framing (the dashboard is written for it: htm instead of JSX, CSSOM instead
 * of style attributes) — plus nosniff, no referrer and same-origin opener and resource policies.
 *
 * Why every answer: deciding by URL let `/admin?x` through without them (the check compared the raw URL,
 * query included), and a framed dashboard could be clicked into replaying dead letters. A route that
 * needs something looser sets that header itself; `withSecurityHeaders` never overwrites one.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Every header, by lower-case name. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

const ENTRIES = Object.entries(SECURITY_HEADERS);

/** Anything with Node's header methods: a `ServerResponse` or a Fastify reply. */
interface HeaderTarget {
  hasHeader(name: string): boolean;
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/**
 * Adds the security headers a response does not set itself (a route relaxes one by setting it first).
 *
 * @example
 * app.addHook('onSend', async (_request, reply) => void withSecurityHeaders(reply));
 */
export function withSecurityHeaders(target: HeaderTarget): void {
  for (const [name, value] of ENTRIES) {
    if (target.hasHeader(name)) continue;
    if (target.header) target.header(name, value);
    else target.setHeader?.(name, value);
  }
}
