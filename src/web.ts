/**
 * The portable entry point (`persona-webhooks/web`): nothing here imports `node:`, so it runs on
 * Cloudflare Workers, Deno, Bun, Vercel Edge and in Next.js route handlers.
 */
export { createWebHandler, createWebPipeline } from './adapters/web.js';
export { createDispatcher, type Dispatcher } from './dispatch/dispatcher.js';
export * from './errors.js';
export type { EventFor, ObjectForEvent, PersonaEvent } from './events/event.js';
export { isKnownEventName, type KnownEventName, PERSONA_EVENT_NAMES } from './events/names.js';
export { parseEvent } from './events/parse-event.js';
export type { PipelineOptions } from './pipeline/options.js';
export type { WebhookPipeline } from './pipeline/pipeline.js';
export type { SignatureFailureReason, VerifyOptions, VerifyResult } from './signature/types.js';
export { signWeb, verifySignatureWeb } from './signature/web.js';
