/**
 * Which network addresses an outbound webhook may reach. The application's endpoint URL is typed by an
 * admin (or anyone who can set the environment), and the service POSTs to it from inside the
 * deployment, so a URL aimed at the cloud's metadata service would hand out the instance's credentials
 * in the dead-letter view. Metadata, link-local and other never-a-real-app addresses are refused
 * always; private ranges and loopback (where apps usually live, beside the service) are allowed unless
 * PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny. The same rules run when an endpoint is added and on the
 * resolved address of every connection (`guarded-connect.ts`), since a DNS answer can change.
 */
import { BlockList, isIP } from 'node:net';

/** What an address is, as far as outbound webhooks care. */
export type AddressKind = 'metadata' | 'link-local' | 'not-routable' | 'loopback' | 'private' | 'public';

/** The options of the check. */
export interface DestinationPolicy {
  /** Loopback and private ranges (RFC 1918, CGNAT, IPv6 unique-local); default true. */
  allowPrivate: boolean;
}

export const DEFAULT_DESTINATION_POLICY: DestinationPolicy = Object.freeze({ allowPrivate: true });

function blockList(entries: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6']>): BlockList {
  const list = new BlockList();
  for (const [network, prefix, family] of entries) list.addSubnet(network, prefix, family);
  return list;
}

// Checked first: each of these sits inside a wider range below (100.64/10, fc00::/7, 192.0.0/24).
const METADATA = blockList([
  ['169.254.169.254', 32, 'ipv4'], // AWS, GCP, Azure, OpenStack, DigitalOcean…
  ['169.254.170.2', 32, 'ipv4'], // ECS task credentials
  ['100.100.100.200', 32, 'ipv4'], // Alibaba Cloud
  ['192.0.0.192', 32, 'ipv4'], // Oracle Cloud
  ['fd00:ec2::254', 128, 'ipv6'], // AWS IMDS over IPv6
]);
const LINK_LOCAL = blockList([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
// Addresses no application can be reached at: "this network", multicast, reserved, broadcast.
const NOT_ROUTABLE = blockList([
  ['0.0.0.0', 8, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]);
const LOOPBACK = blockList([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = blockList([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);

/** Names that resolve to a metadata service inside a cloud; refused before any lookup. */
const METADATA_HOSTNAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'instance-data',
  'instance-data.ec2.internal',
]);

/**
 * An address as the check reads it: IPv6 brackets and zone dropped, lower case, and an IPv4 address
 * carried in IPv6 (`::ffff:169.254.169.254`, `::ffff:a9fe:a9fe`, NAT64 `64:ff9b::a9fe:a9fe`) as the
 * IPv4 address it reaches.
 */
export function normalizeAddress(address: string): string {
  const lower = address
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '');
  const embedded = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(
    lower,
  );
  if (embedded?.[1]) return embedded[1];
  if (embedded?.[2] && embedded[3]) {
    const [high, low] = [Number.parseInt(embedded[2], 16), Number.parseInt(embedded[3], 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return lower;
}

/** Classifies an IP address (after {@link normalizeAddress}); a non-IP string is `not-routable`. */
export function addressKind(address: string): AddressKind {
  const normalized = normalizeAddress(address);
  const version = isIP(normalized);
  if (version === 0) return 'not-routable';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(normalized, family)) return 'metadata';
  if (LINK_LOCAL.check(normalized, family)) return 'link-local';
  if (NOT_ROUTABLE.check(normalized, family)) return 'not-routable';
  if (LOOPBACK.check(normalized, family)) return 'loopback';
  if (PRIVATE.check(normalized, family)) return 'private';
  return 'public';
}

/**
 * What `address` is when it may not be reached under `policy` ("a cloud metadata address"), or null
 * when it may; callers say which address (`169.254.169.254 is …`, `app.example resolves to …, …`).
 */
export function addressRefusal(
  address: string,
  policy: DestinationPolicy = DEFAULT_DESTINATION_POLICY,
): string | null {
  const kind = addressKind(address);
  switch (kind) {
    case 'metadata':
      return 'a cloud metadata address';
    case 'link-local':
      return 'a link-local address (where cloud metadata services live)';
    case 'not-routable':
      return 'not an address an application can be reached at';
    case 'loopback':
    case 'private':
      return policy.allowPrivate ? null : `a ${kind} address, and PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny`;
    case 'public':
      return null;
  }
}

/** Why a URL's host name is refused before it is even looked up, or null. */
export function hostnameRefusal(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return METADATA_HOSTNAMES.has(name) ? `${name} is a cloud metadata host name` : null;
}
