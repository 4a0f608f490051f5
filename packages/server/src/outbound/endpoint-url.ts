/**
 * An application endpoint's URL as it is accepted, stored and shown. Accepted: http(s), a host, no
 * user:password (fetch refuses to send such a URL, so the endpoint would only ever fail), not aimed at
 * a metadata or link-local address written literally. Stored normalised (WHATWG: `http://a:4000\@b/`
 * is `http://a:4000/@b/`, which is where it really goes; the fragment, never sent, dropped). Shown with
 * every query value masked: a token in the query is a credential.
 */
import {
  addressRefusal,
  type DestinationPolicy,
  hostnameRefusal,
  normalizeAddress,
} from './destination-policy.js';

/** The normalised URL, or why it is refused. */
export type EndpointUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

/**
 * @example
 * checkEndpointUrl('https://App.example:443/kyc#x', { allowPrivate: true }); // { ok: true, url: 'https://app.example/kyc' }
 */
export function checkEndpointUrl(raw: string, policy: DestinationPolicy): EndpointUrlCheck {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'must be an http:// or https:// URL' };
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return { ok: false, reason: 'must be an http:// or https:// URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      reason:
        'must not hold a user or password (user:pass@host): they are never sent; verify the webhook-signature header in your app instead',
    };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const named = hostnameRefusal(host);
  if (named) return { ok: false, reason: `is refused: ${named}` };
  const refusal = isLiteralAddress(host) ? addressRefusal(host, policy) : null;
  if (refusal) return { ok: false, reason: `is refused: ${normalizeAddress(host)} is ${refusal}` };
  url.hash = '';
  return { ok: true, url: url.href };
}

function isLiteralAddress(host: string): boolean {
  // WHATWG URL has already turned every IPv4 spelling (0x7f.1, 2130706433) into dotted decimal.
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/**
 * The URL as admins see it: query values and any password replaced by `***`, so a token given in the
 * query is not shown on the dashboard, the API or `endpoints list`.
 *
 * @example
 * maskEndpointUrl('https://app.example/kyc?token=abc&v=2'); // 'https://app.example/kyc?token=***&v=***'
 */
export function maskEndpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '(not a URL)';
  }
  if (url.password !== '') url.password = '***';
  if (url.search !== '') {
    const masked = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`).join('&');
    url.search = masked;
  }
  url.hash = '';
  return url.href;
}
