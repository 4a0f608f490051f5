/**
 * persona-webhooks — receive Persona webhooks correctly. The core: signatures, events, dispatch, the
 * pipeline every adapter uses, the worker and the KYC projection. Adapters and stores have their own
 * entry points (`persona-webhooks/node` = `/express`, `/fastify`, `/web`, `/sqlite`, `/postgres`,
 * `/testing`), each exporting the error classes it can throw.
 */
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
export {
  type CheckedKycPolicyOptions,
  checkedKycPolicy,
  KycPolicyResultError,
} from './kyc/checked-policy.js';
export {
  KYC_DECISION_VALUES,
  type KycDecision,
  type KycDecisionValue,
  type KycFactKind,
  type KycPolicy,
  type KycReason,
} from './kyc/decision.js';
export { createKycPolicy, defaultKycPolicy, type SettingsKycPolicy } from './kyc/default-policy.js';
export type {
  AccountFact,
  CaseFact,
  InquiryFact,
  KycFacts,
  ReportFact,
  TransactionFact,
} from './kyc/facts.js';
export { kycPolicyEvents, missingPolicyEvents } from './kyc/policy-events.js';
export { policyFingerprint } from './kyc/policy-fingerprint.js';
export {
  type AccountStatusOutcome,
  type CaseResolutionOutcome,
  type CaseStatusOutcome,
  DEFAULT_POLICY_VERSION,
  type KycPolicySettings,
  KycPolicySettingsError,
  parseKycPolicySettings,
  type VerificationOutcome,
} from './kyc/policy-settings.js';
export { projectKyc } from './kyc/projection.js';
export type {
  AccountStatusUpdate,
  CaseStatusUpdate,
  InquiryStatusUpdate,
  LinkedKind,
  LinksUpdate,
  ProjectionUpdate,
  ReportStatusUpdate,
  ScrubBodiesUpdate,
  TransactionStatusUpdate,
  VerificationStatusUpdate,
} from './kyc/projection-update.js';
export { normaliseInquiryStatus } from './kyc/status.js';
export {
  DECISION_CHANGED_TYPE,
  type DecisionChange,
  type DecisionChangedEvent,
  decisionChangedEvent,
} from './outbox/decision-changed.js';
export {
  type DeliveryReport,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  startDeliveryWorker,
} from './outbox/delivery-worker.js';
export type * from './outbox/outbox-types.js';
export {
  type PostWebhookOptions,
  postStandardWebhook,
  RESPONSE_EXCERPT_BYTES,
} from './outbox/post-webhook.js';
export { MAX_DELIVERY_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS } from './outbox/retry-schedule.js';
export {
  generateEndpointSecret,
  isEndpointSecret,
  type StandardWebhookHeaders,
  signStandardWebhook,
} from './outbox/standard-webhooks.js';
export {
  fetchTransport,
  type TransportRequest,
  type TransportResponse,
  type WebhookTransport,
} from './outbox/webhook-transport.js';
export { createPipeline } from './pipeline/create-pipeline.js';
export { type IngestBodyResult, ingestBody } from './pipeline/ingest-body.js';
export { buildPingBody, isPingBody } from './pipeline/ping.js';
export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT_BODIES } from './pipeline/pipeline-options.js';
export type * from './public-types.js';
export { sign, verifySignature } from './signature/node-crypto.js';
export { DEFAULT_TOLERANCE_SECONDS } from './signature/signature-options.js';
export { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './store/read-model/row-views.js';
export type { BackoffOptions } from './worker/backoff.js';
export { type Retention, type RetentionOptions, startRetention } from './worker/retention.js';
export { createWorker, type Worker } from './worker/worker.js';
export type {
  HandlerRunner,
  ProcessedReport,
  WorkerLogger,
  WorkerOptions,
} from './worker/worker-options.js';
