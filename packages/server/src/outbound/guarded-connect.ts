/**
 * The delivery worker's HTTP client: undici's fetch over an Agent whose connector resolves the host
 * itself, checks every address against the destination policy and the self-target rule, and connects
 * to the address it checked. Checking the URL once when it is added is not enough — a DNS answer can
 * change between the check and a send (rebinding) — so the check sits where the socket is opened,
 * and no connection is attempted to a refused address. TLS still verifies the certificate against the
 * URL's host name (undici derives the SNI name from the untouched `host`).
 */
import { isIP } from 'node:net';
import type { WebhookTransport } from 'persona-webhooks';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import {
  addressRefusal,
  type DestinationPolicy,
  hostnameRefusal,
  normalizeAddress,
} from './destination-policy.js';
import { isServiceAddress, type Resolve, systemResolve } from './self-target.js';
import { undiciTransport } from './undici-transport.js';

/**
 * Why a destination was refused. The delivery worker shows `message` as the attempt's error (the
 * `EDESTINATIONREFUSED` code tells it the text is ours, with no URL or response in it).
 */
export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = 'EDESTINATIONREFUSED';
}

export interface GuardedFetchOptions {
  policy: DestinationPolicy;
  /** The port this service listens on, read at each connection (0: not known, no self-target check). */
  servicePort: () => number;
  /** Default: the system resolver. */
  resolve?: Resolve;
}

/** A fetch and a transport for the delivery worker, over one Agent to close at shutdown. */
export interface GuardedFetch {
  fetch: typeof fetch;
  /** undici's `request` on the same checked Agent: what the delivery worker sends with (cheaper than fetch). */
  transport: WebhookTransport;
  close(): Promise<void>;
}

/** Why a connection to `hostname`:`port` is refused, or the address to connect to. */
export async function checkDestination(
  hostname: string,
  port: number,
  options: GuardedFetchOptions,
): Promise<{ address: string } | { refused: string }> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  const named = hostnameRefusal(host);
  if (named) return { refused: named };
  const addresses = isIP(host)
    ? [host]
    : (await (options.resolve ?? systemResolve)(host)).map((a) => a.address);
  if (addresses.length === 0) return { refused: `${host} has no address` };
  // Every address must pass: the resolver's order is not ours to trust.
  for (const address of addresses) {
    const refusal = addressRefusal(address, options.policy);
    const shown = normalizeAddress(address);
    if (refusal) {
      return { refused: isIP(host) ? `${shown} is ${refusal}` : `${host} resolves to ${shown}, ${refusal}` };
    }
    if (isServiceAddress(address, port, options.servicePort())) {
      return { refused: `${host}:${port} is this service itself` };
    }
  }
  return { address: addresses[0]! };
}

/**
 * @example
 * const guarded = createGuardedFetch({ policy: { allowPrivate: true }, servicePort: () => 3000 });
 * startDeliveryWorker({ store, transport: guarded.transport });
 */
export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const base = buildConnector({});
  const connect: buildConnector.connector = (connectOptions, callback) => {
    const port = Number(connectOptions.port) || (connectOptions.protocol === 'https:' ? 443 : 80);
    checkDestination(connectOptions.hostname, port, options).then(
      (outcome) => {
        if ('refused' in outcome) callback(new DestinationRefusedError(`refused: ${outcome.refused}`), null);
        else base({ ...connectOptions, hostname: outcome.address }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
  const agent = new Agent({ connect });
  const guarded = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    })) as unknown as typeof fetch;
  return { fetch: guarded, transport: undiciTransport(agent), close: () => agent.close() };
}
