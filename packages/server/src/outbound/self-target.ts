/**
 * Refuses an endpoint that points back at this service: a decision change would then be POSTed to our
 * own webhook route (refused, retried for a day) or worse to our admin API. The host is resolved (every
 * address) and the URL is ours when its port is the service's and an address is loopback, unspecified
 * or one of this machine's interfaces.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ConfigError } from '../server/config-error.js';

/** The URL's port, the scheme's default when none is written. */
function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, or as URLs write it `::ffff:7f00:1`) as IPv4. */
function normalize(address: string): string {
  const lower = address.toLowerCase().replace(/%.*$/, '');
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const [high, low] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return lower.replace(/^::ffff:(?=\d+\.)/, '');
}

/** True for 127.0.0.0/8, ::1, 0.0.0.0 and :: (normalized addresses). */
function isLoopbackOrUnspecified(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.') || address === '0.0.0.0';
  return address === '::1' || address === '::';
}

function localAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) addresses.add(normalize(entry.address));
  }
  return addresses;
}

/**
 * Whether `rawUrl` resolves to this service listening on `servicePort`. A host that does not resolve is
 * not refused: it may resolve later, and it is not us now.
 *
 * @example
 * await pointsAtService('http://127.0.0.1:3000/kyc', 3000); // true
 */
export async function pointsAtService(rawUrl: string, servicePort: number): Promise<boolean> {
  const url = new URL(rawUrl);
  if (portOf(url) !== servicePort) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  } catch {
    return false;
  }
  const local = localAddresses();
  return addresses.map(normalize).some((address) => isLoopbackOrUnspecified(address) || local.has(address));
}

/**
 * Throws a ConfigError naming the endpoint (by id, not URL: it may hold a token) when it points at
 * this service.
 */
export async function refuseSelfTarget(endpoint: { id: string; url: string }, servicePort: number) {
  if (await pointsAtService(endpoint.url, servicePort)) {
    throw new ConfigError(
      `app endpoint ${endpoint.id} points at this service itself (port ${servicePort} on this machine): give your application's URL`,
    );
  }
}
