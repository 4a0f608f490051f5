/**
 * Headers for the dashboard and the admin API. The Content-Security-Policy allows scripts, styles and
 * connections to this origin only: no inline script or style, no eval, nothing from elsewhere, no
 * framing. The client is written for it (htm instead of JSX, CSSOM instead of style attributes).
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

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/** Routes the headers are added to: the dashboard and everything it talks to. */
export function needsSecurityHeaders(url: string): boolean {
  return url === '/admin' || url.startsWith('/admin/') || url.startsWith('/api/');
}
