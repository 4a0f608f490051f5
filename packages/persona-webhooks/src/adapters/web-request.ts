/**
 * Web-standard adapter, `(Request) => Promise<Response>`, for Next.js App Router, Hono, Bun, Deno and
 * Cloudflare Workers. Uses Web Crypto only: nothing here (or below it) imports `node:`.
 */

import { createPipelineWith, type WebhookPipeline } from '../pipeline/pipeline.js';
import type { PipelineOptions } from '../pipeline/pipeline-options.js';
import { verifySignatureWeb } from '../signature/web-crypto.js';
import { readLimited } from './read-limited.js';

/** The Web pipeline: like `createPipeline`, with signatures checked by `crypto.subtle`. */
export function createWebPipeline(options: PipelineOptions): WebhookPipeline {
  return createPipelineWith(verifySignatureWeb, options);
}

/**
 * A fetch-style handler for Persona webhooks.
 *
 * @example
 * // app/api/webhooks/persona/route.ts (Next.js App Router)
 * export const POST = createWebHandler({ secrets: process.env.PERSONA_WEBHOOK_SECRET!, dispatcher });
 */
export function createWebHandler(
  pipelineOrOptions: WebhookPipeline | PipelineOptions,
): (request: Request) => Promise<Response> {
  const pipeline = 'handle' in pipelineOrOptions ? pipelineOrOptions : createWebPipeline(pipelineOrOptions);
  return async (request) => {
    const response = await pipeline.handle({
      method: request.method,
      header: (name) => request.headers.get(name),
      readBody: () =>
        readLimited(chunksOf(request.body), request.headers.get('content-length'), pipeline.maxBodyBytes),
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

/** A ReadableStream as an async iterable; cancelling it when the reader stops early (too large). */
async function* chunksOf(stream: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!stream) return;
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
  }
}
