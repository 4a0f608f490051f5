/**
 * The one HTTP pipeline every adapter calls: method check → size-limited body → signature → envelope →
 * store (or inline handlers) → response. It imports no web framework, no database driver and nothing
 * from `node:`, so the Web adapter can run it on Workers, Deno and Bun. The two ways an event is
 * delivered are beside this file: `store-delivery.ts` (durable) and `inline-delivery.ts`.
 */
import {
  InvalidSignatureError,
  MethodNotAllowedError,
  PersonaWebhookError,
  ReceiverBusyError,
} from '../errors.js';
import { MAX_CREATED_AT_SKEW_MS } from '../events/limits.js';
import { parseEnvelope } from '../events/parse-envelope.js';
import { parseEvent } from '../events/parse-event.js';
import type { VerifyOptions, VerifyResult } from '../signature/types.js';
import { planVerification } from '../signature/verification-plan.js';
import { type Answer, outcomeReport } from './answer.js';
import { errorToResponse } from './error-response.js';
import { dispatchInline } from './inline-delivery.js';
import { outcomeForCode } from './outcome.js';
import { resolvePipelineConfig } from './pipeline-config.js';
import type { PipelineOptions } from './pipeline-options.js';
import { headerValue, type WebhookRequest } from './request.js';
import type { WebhookResponse } from './response.js';
import { storeDelivery } from './store-delivery.js';

/** Signature verification, injected so the Web build can use Web Crypto instead of `node:crypto`. */
export type Verifier = (options: VerifyOptions) => VerifyResult | Promise<VerifyResult>;

/** Handles one webhook request; see `createPipeline`. */
export interface WebhookPipeline {
  readonly maxBodyBytes: number;
  handle(request: WebhookRequest): Promise<WebhookResponse>;
}

/** Builds a pipeline around a verifier. Adapters use `createPipeline` (node) or the Web adapter's own. */
export function createPipelineWith(verify: Verifier, options: PipelineOptions): WebhookPipeline {
  // Misconfiguration fails here, loudly, rather than as a 401 or 500 on every genuine delivery.
  const { secrets, toleranceSeconds, maxBodyBytes, maxConcurrentBodies, now, store, dispatcher, dedupe } =
    resolvePipelineConfig(options);
  let bodiesBeingRead = 0;

  async function answer(request: WebhookRequest): Promise<Answer> {
    if (request.method.toUpperCase() !== 'POST') throw new MethodNotAllowedError(request.method);
    const header = headerValue(request, 'persona-signature');
    // A missing, malformed or stale header fails without the body: nobody without a plausible, current
    // signature gets to make us read (and hold) bytes.
    const early = planVerification({
      body: '',
      header,
      secrets,
      toleranceSeconds,
      now: Math.floor(now() / 1000),
    });
    if ('reason' in early) throw new InvalidSignatureError(early.reason, early.message);
    if (bodiesBeingRead >= maxConcurrentBodies) throw new ReceiverBusyError(maxConcurrentBodies);
    bodiesBeingRead++;
    let body: Uint8Array;
    try {
      body = await request.readBody();
    } finally {
      bodiesBeingRead--;
    }

    const verified = await verify({ body, header, secrets, toleranceSeconds, now: Math.floor(now() / 1000) });
    if (!verified.ok) throw new InvalidSignatureError(verified.reason, verified.message);

    const receivedAtMs = now();
    const bounds = { createdAtNotAfterMs: receivedAtMs + MAX_CREATED_AT_SKEW_MS };
    return store
      ? storeDelivery(store, request, body, receivedAtMs, parseEnvelope(body, bounds))
      : dispatchInline(dispatcher, dedupe, body, parseEvent(body, bounds));
  }

  return {
    maxBodyBytes,
    async handle(request) {
      const startedAt = performance.now();
      let result: Answer;
      try {
        result = await answer(request);
      } catch (error) {
        result = { response: errorToResponse(error), outcome: 'error' };
        if (error instanceof PersonaWebhookError) {
          result.outcome = outcomeForCode(error.code);
          result.error = error;
        }
      }
      options.onOutcome?.(outcomeReport(result, performance.now() - startedAt));
      return result.response;
    },
  };
}
