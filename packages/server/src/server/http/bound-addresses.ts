/**
 * What the server really binds, said plainly for the start-up line: `HOST` defaults to `0.0.0.0`, which
 * is every interface, not the `127.0.0.1` one would connect to locally.
 */
import type { AddressInfo } from 'node:net';

/** `0.0.0.0:3000 (all interfaces)`, `[::]:3000 (all interfaces, IPv6 and IPv4)`, `127.0.0.1:3000 (this machine only)`. */
export function describeBinding(address: string | Pick<AddressInfo, 'address' | 'family' | 'port'>): string {
  // A Unix socket path says where it is by itself.
  if (typeof address === 'string') return address;
  const host =
    address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  const where = `${host}:${address.port}`;
  if (address.address === '0.0.0.0') return `${where} (all interfaces)`;
  // Node binds `::` dual-stack unless told otherwise: IPv4 clients reach it too.
  if (address.address === '::') return `${where} (all interfaces, IPv6 and IPv4)`;
  if (address.address === '::1' || address.address.startsWith('127.')) return `${where} (this machine only)`;
  return where;
}
