/**
 * The portable entry point (`persona-webhooks/web`): nothing here imports `node:`, so it runs on
 * Cloudflare Workers, Deno, Bun, Vercel Edge and in Next.js route handlers.
 */
export { createWebHandler, createWebPipeline } from './adapters/web-request.js';
export { createDispatcher, unknownEvent } from './dispatch/dispatcher.js';
export * from './errors.js';
export {
  MAX_CREATED_AT_SKEW_MS,
  MAX_ID_CHARS,
  MAX_NAME_CHARS,
  MAX_NESTING_DEPTH,
} from './events/limits.js';
export { isKnownEventName, KNOWN_REPORT_TYPES, PERSONA_EVENT_NAMES } from './events/names.js';
export { type ParseEventOptions, parseEvent } from './events/parse-event.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT_BODIES } from './pipeline/pipeline-options.js';
export type * from './public-types.js';
export { DEFAULT_TOLERANCE_SECONDS } from './signature/signature-options.js';
export { signWeb, verifySignatureWeb } from './signature/web-crypto.js';
