/**
 * The delivery worker's transport in the service: undici's own `request` on the checked Agent
 * (`guarded-connect.ts`), not `fetch`. A busy outbox spent about half its CPU in fetch's WHATWG layers
 * (Request, Headers, web streams) on top of this same dispatcher; `request` skips them and keeps what
 * matters: the address check at every connection (the Agent's connector), no redirect followed
 * (`request` follows none), the timeout's signal over the whole attempt, the body read only up to the
 * excerpt and dropped after.
 */
import type { WebhookTransport } from 'persona-webhooks';
import { type Dispatcher, request } from 'undici';

/**
 * @example
 * startDeliveryWorker({ store, transport: undiciTransport(agent) });
 */
export function undiciTransport(dispatcher: Dispatcher): WebhookTransport {
  return async ({ url, headers, body, signal, maxBytes }) => {
    const response = await request(url, { method: 'POST', headers, body, signal, dispatcher });
    return { status: response.statusCode, excerpt: await readExcerpt(response.body, maxBytes) };
  };
}

/** Up to about `maxBytes` of the body; the rest is dropped unread. A body that fails midway keeps what came. */
async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size >= maxBytes) break;
    }
  } catch {
    // The connection broke or timed out while reading: keep what came.
  } finally {
    body.destroy();
  }
  return size === 0 ? null : Buffer.concat(chunks);
}
