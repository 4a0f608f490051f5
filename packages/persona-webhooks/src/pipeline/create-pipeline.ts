import { verifySignature } from '../signature/node-crypto.js';
import { createPipelineWith, type WebhookPipeline } from './pipeline.js';
import type { PipelineOptions } from './pipeline-options.js';

/**
 * The webhook pipeline for Node.js (signatures checked with `node:crypto`). Adapters accept either this
 * or the options it takes.
 *
 * @example
 * import { createPipeline } from 'persona-webhooks';
 * const pipeline = createPipeline({ secrets: process.env.PERSONA_WEBHOOK_SECRET!, dispatcher });
 * const response = await pipeline.handle({ method: 'POST', header: (n) => headers[n], readBody: async () => body });
 */
export function createPipeline(options: PipelineOptions): WebhookPipeline {
  return createPipelineWith(verifySignature, options);
}

/** Accepts a ready pipeline or the options to build one, so adapters take either. */
export function toPipeline(pipelineOrOptions: WebhookPipeline | PipelineOptions): WebhookPipeline {
  return 'handle' in pipelineOrOptions ? pipelineOrOptions : createPipeline(pipelineOrOptions);
}
