/**
 * The `Host` values the emulator answers: this machine's loopback names, with or without a port, and
 * the address it was told to listen on. Anything else is either a request meant for another server or a
 * DNS-rebinding page (`evil.example` resolved to 127.0.0.1) that a browser would let read the answers.
 */

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * True for `127.0.0.1`, `localhost`, `[::1]` (each optionally `:port`), and `listenHost` unless it is a
 * wildcard address.
 *
 * @example
 * allowedHost('localhost:4010'); // true
 * allowedHost('evil.example:4010'); // false
 */
export function allowedHost(host: string | undefined, listenHost?: string): boolean {
  if (host === undefined) return false;
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  const name = match[1]!;
  if (LOOPBACK.has(name)) return true;
  if (listenHost === undefined || ['0.0.0.0', '::', '[::]', ''].includes(listenHost)) return false;
  const listen = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
  return name === listen.toLowerCase();
}
