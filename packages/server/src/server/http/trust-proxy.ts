/**
 * TRUST_PROXY as Fastify applies it, and the client address the admin sign-in limit counts by.
 *
 * Fastify 5 no longer honours a hop count (a number makes it trust no proxy at all), so the documented
 * `TRUST_PROXY=2` silently behaved as `false`. A count is given to Fastify as a trust function instead:
 * exactly that many hops, counted from the socket, are believed — as in Express and proxy-addr. That is
 * only right when every request comes through those proxies; where clients can reach the service
 * directly, give the proxies' addresses/CIDRs, which are checked against the address of each hop.
 */
import type { FastifyRequest } from 'fastify';

/** The setting, as `config/service-config.ts` parses it. */
export type TrustProxySetting = boolean | number | string;

/** What Fastify's `trustProxy` option accepts for `setting`. */
export function fastifyTrustProxy(
  setting: TrustProxySetting,
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  const hops = setting;
  return (_address, hop) => hop < hops;
}

/**
 * The address a client's failed sign-ins are counted under. With addresses, a hop count or `false`,
 * Fastify's `request.ip` already stops at the first hop not trusted. With `true` it is the left-most
 * X-Forwarded-For entry — whatever the client wrote there, a new one per request — so the limit counts
 * by what the nearest proxy saw (the right-most entry) instead.
 */
export function limitAddress(setting: TrustProxySetting, request: FastifyRequest): string {
  if (setting !== true) return request.ip;
  // From the socket outwards: [peer, what the nearest proxy saw, …, what the client claims].
  const ips = request.ips ?? [];
  return ips[1] ?? request.ip;
}
