/**
 * The load generator: autocannon in the bench process, sending pre-signed distinct deliveries to the
 * webhook route. The per-request setup only hands out a prepared buffer, so the generator spends its CPU
 * on sockets, not on HMAC.
 */
import autocannon from 'autocannon';
import type { DeliveryPool } from './payloads.js';

/** Where and how hard to push: a fixed duration, or a fixed number of requests (`amount` wins). */
export interface LoadOptions {
  url: string;
  path: string;
  pool: DeliveryPool;
  connections: number;
  seconds?: number;
  amount?: number;
  /** Requests per second over all connections; full speed when absent. */
  rate?: number;
}

/** What one load run measured, from the client's side. */
export interface LoadResult {
  /** Responses per second over the run. */
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx. */
  non2xx: number;
  /** Connection errors and timeouts: requests that got no response at all. */
  errors: number;
  responses: number;
  durationSec: number;
  /** Wall-clock start, so pollers can measure from the first request. */
  startedAtMs: number;
}

/**
 * Runs one autocannon load against `url + path`.
 *
 * @example
 * const result = await runLoad({ url, path: '/webhooks/persona', pool, connections: 50, seconds: 10 });
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { pool } = options;
  const startedAtMs = Date.now();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.seconds ?? 10 } : { amount: options.amount }),
    timeout: 10,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    requests: [
      {
        method: 'POST',
        path: options.path,
        setupRequest: (request) => {
          const delivery = pool.take();
          return { ...request, body: delivery.body, headers: { ...delivery.headers } };
        },
      },
    ],
  });
  const responses = result['2xx'] + result.non2xx;
  return {
    requestsPerSec: responses / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    responses,
    durationSec: result.duration,
    startedAtMs,
  };
}
