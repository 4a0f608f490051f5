/**
 * The types every entry point shares: events and their objects, the pipeline's request and response,
 * signatures. Type-only, so re-exporting it costs nothing at run time and pulls in no `node:` module.
 */
export type { Dispatcher, ErrorHandler, EventHandler, UnknownEventName } from './dispatch/dispatcher.js';
export type { EventFor, ObjectForEvent, PersonaEvent } from './events/event.js';
export type { KnownEventName, KnownReportType } from './events/names.js';
export type { AccountAttributes, AccountObject } from './events/objects/account.js';
export type { CaseAttributes, CaseObject } from './events/objects/case.js';
export type { DocumentAttributes, DocumentObject } from './events/objects/document.js';
export type { InquiryAttributes, InquiryObject, InquiryStatus } from './events/objects/inquiry.js';
export type { InquirySessionAttributes, InquirySessionObject } from './events/objects/inquiry-session.js';
export type {
  CommonTimestamps,
  PersonaAttributes,
  PersonaField,
  PersonaFields,
  PersonaObject,
  Relationship,
  ResourceIdentifier,
} from './events/objects/persona-object.js';
export type { ReportAttributes, ReportObject } from './events/objects/report.js';
export type { SelfieAttributes, SelfieObject } from './events/objects/selfie.js';
export type { TransactionAttributes, TransactionObject } from './events/objects/transaction.js';
export type {
  VerificationAttributes,
  VerificationCheck,
  VerificationObject,
  VerificationStatus,
} from './events/objects/verification.js';
export type { EventEnvelope } from './events/parse-envelope.js';
export type { ParseEventResult } from './events/parse-event.js';
export type { OutcomeReport, RequestOutcome } from './pipeline/outcome.js';
export type { WebhookPipeline } from './pipeline/pipeline.js';
export type {
  DurablePipelineOptions,
  InlinePipelineOptions,
  PipelineBaseOptions,
  PipelineOptions,
} from './pipeline/pipeline-options.js';
export type { HeaderReader, WebhookRequest } from './pipeline/request.js';
export type { WebhookResponse } from './pipeline/response.js';
export type {
  SignatureFailureReason,
  SignOptions,
  VerifyFailure,
  VerifyOptions,
  VerifyResult,
  VerifySuccess,
} from './signature/types.js';
export type {
  EventSource,
  InboxEvent,
  InboxWriter,
  IngestOutcome,
  QuarantinedBody,
} from './store/inbox/inbox.js';
export type {
  ClaimedEvent,
  ClaimOptions,
  EventStatus,
  QueueControls,
  ReplayOutcome,
  WorkQueue,
} from './store/queue/work-queue.js';
export type {
  AttemptRecord,
  EventDetail,
  EventPage,
  EventSummary,
  InboxCounts,
  InboxTimes,
  InquiryView,
  KycPage,
  KycSummary,
  KycView,
  ListEventsQuery,
  ListKycQuery,
  MinuteCount,
  ReadModel,
  Timeline,
  TimelineQuery,
  VerificationView,
} from './store/read-model/read-model.js';
export type {
  MigrateOptions,
  RebuildProgress,
  SchemaStatus,
  Store,
  StoreLifecycle,
} from './store/store.js';
