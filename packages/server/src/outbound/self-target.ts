/**
 * Refuses an endpoint that points back at this service: a decision change would then be POSTed to our
 * own webhook route (refused, retried for a day) or worse to our admin API. An address is ours when
 * the port is the service's and the address is loopback, unspecified or one of this machine's
 * interfaces. Checked when an endpoint is added or synced from the environment, and on the resolved
 * address of every connection (`guarded-connect.ts`).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ConfigError } from '../server/config/config-error.js';
import { normalizeAddress } from './destination-policy.js';

/** Resolves a host name to every address it has (injectable: tests map names without DNS). */
export type Resolve = (hostname: string) => Promise<Array<{ address: string }>>;

/** The system resolver, every address in the order it gives them. */
export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** The URL's port, the scheme's default when none is written. */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** True for 127.0.0.0/8, ::1, 0.0.0.0 and :: (normalized addresses). */
function isLoopbackOrUnspecified(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.') || address === '0.0.0.0';
  return address === '::1' || address === '::';
}

function localAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) addresses.add(normalizeAddress(entry.address));
  }
  return addresses;
}

/** Whether a connection to `address`:`port` would reach this service listening on `servicePort`. */
export function isServiceAddress(address: string, port: number, servicePort: number): boolean {
  if (servicePort === 0 || port !== servicePort) return false;
  const normalized = normalizeAddress(address);
  return isLoopbackOrUnspecified(normalized) || localAddresses().has(normalized);
}

/**
 * Whether `rawUrl` resolves to this service listening on `servicePort`. A host that does not resolve is
 * not refused: it may resolve later, and it is not us now (the check at each connection still runs).
 *
 * @example
 * await pointsAtService('http://127.0.0.1:3000/kyc', 3000); // true
 */
export async function pointsAtService(
  rawUrl: string,
  servicePort: number,
  resolve: Resolve = systemResolve,
): Promise<boolean> {
  const url = new URL(rawUrl);
  const port = portOf(url);
  if (port !== servicePort) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await resolve(host)).map((entry) => entry.address);
  } catch {
    return false;
  }
  return addresses.some((address) => isServiceAddress(address, port, servicePort));
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
