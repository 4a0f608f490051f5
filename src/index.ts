/**
 * persona-webhooks — receive Persona webhooks correctly. The core: signatures, events, dispatch, the
 * pipeline every adapter uses, the worker and the KYC projection. Adapters and stores have their own
 * entry points (`persona-webhooks/express`, `/fastify`, `/web`, `/sqlite`, `/postgres`, `/server`).
 */
export { createDispatcher, type Dispatcher } from './dispatch/dispatcher.js';
export * from './errors.js';
export type { EventFor, ObjectForEvent, PersonaEvent } from './events/event.js';
export { isKnownEventName, type KnownEventName, PERSONA_EVENT_NAMES } from './events/names.js';
export { type ParseEventResult, parseEvent } from './events/parse-event.js';
export { projectKyc } from './kyc/projection.js';
export type { ProjectionUpdate } from './kyc/projection-update.js';
export { normaliseInquiryStatus } from './kyc/status.js';
export { createPipeline } from './pipeline/create-pipeline.js';
export type { PipelineOptions } from './pipeline/options.js';
export type { OutcomeReport, RequestOutcome } from './pipeline/outcome.js';
export type { WebhookPipeline } from './pipeline/pipeline.js';
export type { HeaderReader, WebhookRequest } from './pipeline/request.js';
export * from './signature/index.js';
export { openStore } from './store/open-store.js';
export type * from './store/store.js';
export { startRetention } from './worker/retention.js';
export { createWorker } from './worker/worker.js';
