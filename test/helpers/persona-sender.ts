/**
 * A sender that behaves like Persona: signs each attempt afresh with Persona's headers, and treats any
 * non-2xx answer or a dropped connection as a failed delivery to retry (with short delays here instead of
 * Persona's hours). Bounded in attempts and time; traffic goes only to the loopback URL it is given.
 */
import { personaHeaders, SECRET } from './deliveries.js';

export interface Delivery {
  eventId: string;
  body: string;
}

export interface DeliveryResult {
  eventId: string;
  /** Status of the last attempt; 0 when the connection failed. */
  status: number;
  attempts: number;
  /** Whether some attempt was answered 2xx (acknowledged). */
  acknowledged: boolean;
}

export interface SenderOptions {
  /** One URL, or several (instances behind a "load balancer": each attempt picks the next). */
  urls: string | string[];
  secret?: string;
  concurrency?: number;
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Stop retrying after this long. */
  deadlineMs?: number;
  /** Called after each acknowledged delivery (e.g. to kill the server mid-run). */
  onAcknowledged?: (eventId: string, countSoFar: number) => void;
}

export async function deliverLikePersona(
  deliveries: Delivery[],
  options: SenderOptions,
): Promise<DeliveryResult[]> {
  const urls = Array.isArray(options.urls) ? options.urls : [options.urls];
  const maxAttempts = options.maxAttempts ?? 50;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const results: DeliveryResult[] = [];
  let acknowledgedCount = 0;
  let next = 0;
  let urlTurn = 0;

  async function deliver(delivery: Delivery): Promise<DeliveryResult> {
    let status = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const url = urls[urlTurn++ % urls.length]!;
      try {
        const headers = {
          ...personaHeaders(delivery.body, options.secret ?? SECRET),
          'persona-webhook-attempts-made': String(attempt),
          'persona-webhook-attempts-left': String(Math.max(0, 8 - attempt)),
        };
        const response = await fetch(url, {
          method: 'POST',
          body: delivery.body,
          headers,
          signal: AbortSignal.timeout(5_000),
        });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) {
        acknowledgedCount += 1;
        options.onAcknowledged?.(delivery.eventId, acknowledgedCount);
        return { eventId: delivery.eventId, status, attempts: attempt, acknowledged: true };
      }
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
    return { eventId: delivery.eventId, status, attempts: maxAttempts, acknowledged: false };
  }

  await Promise.all(
    Array.from({ length: options.concurrency ?? 10 }, async () => {
      for (let i = next++; i < deliveries.length; i = next++) results.push(await deliver(deliveries[i]!));
    }),
  );
  return results;
}
