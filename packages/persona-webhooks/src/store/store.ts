/**
 * The one store interface. SQLite (embedded default) and PostgreSQL (scale-out) implement it; the
 * pipeline, the worker, the server and the CLI only ever see this. Dialect specifics stay inside
 * `src/store/sqlite/` and `src/store/postgres/`.
 *
 * Every method may reject with `StoreUnavailableError` (from `src/errors.ts`) when the database cannot
 * answer (locked, disk full, closed, connection lost).
 */
import type { KycDecisionValue, KycReason } from '../kyc/decision.js';
import type { AccountFact, CaseFact, KycFacts, ReportFact, TransactionFact } from '../kyc/facts.js';
import type { ProjectionUpdate } from '../kyc/projection-update.js';
import type { OutboxStore } from '../outbox/outbox-types.js';
import type { MigrateOptions } from './kyc-rebuild.js';
import type { SchemaStatus } from './schema-status.js';

export type { MigrateOptions, RebuildProgress } from './kyc-rebuild.js';

export type { SchemaStatus } from './schema-status.js';

/**
 * How an event reached the inbox: delivered by Persona's webhook, or recovered through Persona's
 * Events API (reconciliation, backfill) because the webhook never brought it. The first arrival wins.
 */
export type EventSource = 'webhook' | 'api';

/** A verified, parsed event as the pipeline hands it to the store. */
export interface InboxEvent {
  /** `evt_…`: the deduplication key. */
  id: string;
  name: string;
  /** The event's `created-at` as Persona sent it (ISO 8601). */
  createdAt: string;
  /** The same instant in epoch milliseconds: the processing-order key. */
  createdAtMs: number;
  /** Type and id of the affected object (`inquiry`, `inq_…`). */
  objectType: string | null;
  objectId: string | null;
  /** The inquiry and account this event belongs to, when known: redaction scrubs by these. */
  inquiryId: string | null;
  accountId: string | null;
  /**
   * Persona's `reference-id` (your user id) when the event's object carries it (inquiries, accounts), so
   * a user's events can be found before any of them has been processed.
   */
  referenceId?: string | null;
  /** The exact bytes Persona signed. */
  body: Uint8Array;
  /** Persona's delivery headers, when present. */
  attemptsMade: number | null;
  attemptsLeft: number | null;
  firstAttemptedAtMs: number | null;
  receivedAtMs: number;
  /** Default `webhook`. */
  source?: EventSource;
}

/** A correctly signed body that is not a valid Persona event: kept as dead, never thrown away. */
export interface QuarantinedBody {
  /** Hex SHA-256 of the body: the deduplication key, so Persona's retries do not multiply it. */
  sha256: string;
  body: Uint8Array;
  /** Why it was rejected, e.g. `malformed: data.id is missing`. */
  reason: string;
  receivedAtMs: number;
  /** Default `webhook`. */
  source?: EventSource;
}

/** `stored`: a new row, committed and synced to disk. `duplicate`: already there, nothing written. */
export type IngestOutcome = 'stored' | 'duplicate';

/** What `replay` did. */
export type ReplayOutcome = 'replayed' | 'not_found' | 'already_queued';

/** The write side the pipeline needs; resolving means the row is durable. */
export interface InboxWriter {
  ingest(event: InboxEvent): Promise<IngestOutcome>;
  quarantine(body: QuarantinedBody): Promise<IngestOutcome>;
}

export type EventStatus = 'pending' | 'processing' | 'done' | 'dead';

/** An event the worker holds under a lease. */
export interface ClaimedEvent {
  id: string;
  name: string;
  createdAtMs: number;
  /** Null when the body was purged by retention or scrubbed by a redaction. */
  body: Uint8Array | null;
  /** Attempts so far, this one included (1 on the first claim). */
  attempt: number;
  /** Proves the lease is still ours when completing or failing. */
  leaseToken: string;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  nowMs: number;
}

/** One handler run, for the admin API's event detail. */
export interface AttemptRecord {
  attempt: number;
  startedAtMs: number;
  finishedAtMs: number | null;
  outcome: 'done' | 'retry' | 'dead' | null;
  error: string | null;
}

export interface EventSummary {
  id: string;
  name: string;
  status: EventStatus;
  attempts: number;
  createdAt: string;
  /** `createdAt` in epoch milliseconds: the order events are applied in. */
  createdAtMs: number;
  receivedAtMs: number;
  lastError: string | null;
  /** The inquiry the event belongs to, when known. */
  inquiryId: string | null;
  /** The reference id its payload carried, when it carried one. */
  referenceId: string | null;
  source: EventSource;
}

export interface EventDetail extends EventSummary {
  objectType: string | null;
  objectId: string | null;
  runAtMs: number;
  attemptLog: AttemptRecord[];
  /** The raw body as UTF-8 text; null once purged or scrubbed. */
  payload: string | null;
}

export interface ListEventsQuery {
  status?: EventStatus;
  name?: string;
  /** Received at or after this time (epoch ms). */
  receivedFromMs?: number;
  /** Received before this time (epoch ms, exclusive). */
  receivedBeforeMs?: number;
  /**
   * An exact id: the event's, its object's (`inq_…`, `ver_…`), its inquiry's, or a reference id (also
   * matching every event of that user's inquiries).
   */
  search?: string;
  /** Page size, 1–500. Default 50. */
  limit?: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface EventPage {
  events: EventSummary[];
  nextCursor: string | null;
}

export interface InquiryView {
  inquiryId: string;
  referenceId: string | null;
  accountId: string | null;
  status: string | null;
  /** Created-at of the event that set the status. */
  statusAtMs: number;
  inquiryCreatedAtMs: number | null;
  redactedAtMs: number | null;
  updatedAtMs: number;
}

export interface KycView {
  referenceId: string;
  /** Status of the user's most recently created inquiry (not the decision: see `decision`). */
  status: string | null;
  /** The user's most recently created inquiry; null while only their accounts, cases or reports are known. */
  inquiryId: string | null;
  /** When any of the user's inquiries last changed; null with `inquiryId`. */
  updatedAtMs: number | null;
  /** All the user's inquiries, most recently created first. */
  inquiries: InquiryView[];
  /** The decision a compliance team acts on, from every fact below (see the library README). */
  decision: KycDecisionValue;
  /** Why, the deciding reason first; each names its fact and the event that set it. */
  reasons: KycReason[];
  /** The user's transactions (theirs by reference id, or linked to their accounts), by id. */
  transactions: TransactionFact[];
  /** The user's cases (linked to their inquiries, accounts, transactions or reports), by id. */
  cases: CaseFact[];
  /** The user's report runs (watchlist, PEP, adverse media, …), by id. */
  reports: ReportFact[];
  /** The user's accounts, by id. */
  accounts: AccountFact[];
}

/** Which users `listKyc` lists: every user with a stored decision, or those matching each filter given. */
export interface ListKycQuery {
  /** Only users with this decision (`needs_review` is the review queue). */
  decision?: KycDecisionValue;
  /** Only users whose decision or its reasons changed at or after this time (epoch ms). */
  changedSinceMs?: number;
  /** Page size, 1–500. Default 50. */
  limit?: number;
  /** Opaque, from a previous page's `nextCursor`. */
  cursor?: string;
}

/** One user of a `listKyc` page: their stored decision, when it last changed, and their newest inquiry. */
export interface KycSummary {
  referenceId: string;
  decision: KycDecisionValue;
  /** Why, the deciding reason first (as in {@link KycView}). */
  reasons: KycReason[];
  /**
   * When the decision or its reasons last changed: the time the change was committed at, which is
   * also the `changedAt` of the `kyc.decision_changed` message it caused.
   */
  changedAtMs: number;
  /** The Persona event whose processing made that change; null when a rebuild made it. */
  changedByEventId: string | null;
  /** The user's most recently created inquiry and its status (as in {@link KycView}); null while none is known. */
  inquiryId: string | null;
  status: string | null;
}

/** One page of users, newest decision change first (ties by reference id, descending). */
export interface KycPage {
  users: KycSummary[];
  nextCursor: string | null;
}

export interface VerificationView {
  verificationId: string;
  inquiryId: string | null;
  verificationType: string;
  status: string | null;
  statusAtMs: number;
}

/** Events received in one minute. */
export interface MinuteCount {
  /** Start of the minute, epoch ms. */
  minuteMs: number;
  count: number;
}

/** When the inbox last moved. */
export interface InboxTimes {
  /** Received-at of the oldest event not yet processed (pending or processing); null when none. */
  oldestOpenReceivedAtMs: number | null;
  /** Received-at of the newest event; null when the inbox is empty. */
  lastReceivedAtMs: number | null;
}

/** Whose events a timeline shows: one inquiry's, or every inquiry's of one user. */
export type TimelineQuery = ({ inquiryId: string } | { referenceId: string }) & {
  /** Most events returned, 1–1000. Default 500. */
  limit?: number;
};

/** Events in created-at order (oldest first); the newest `limit` when there are more. */
export interface Timeline {
  events: EventSummary[];
  /** True when older events were left out. */
  truncated: boolean;
}

export interface InboxCounts {
  pending: number;
  processing: number;
  done: number;
  dead: number;
}

/** The full store: ingest, the worker's queue, the KYC read model and the admin operations. */
export interface Store extends InboxWriter, OutboxStore {
  /**
   * Where the schema stands, without migrating or creating anything: `applied` 0 means never migrated.
   * Lets read-only tools refuse to run on a missing, old or newer schema.
   */
  schemaStatus(): Promise<SchemaStatus>;
  /**
   * Applies this release's migrations (running it again changes nothing), then finishes any pending
   * rebuild of KYC facts from stored events; rejects with `SchemaTooNewError` on a schema a newer
   * release wrote.
   */
  migrate(options?: MigrateOptions): Promise<void>;
  /** Resolves when the database answers a trivial query; `/readyz` uses it. */
  ping(): Promise<void>;

  /** Leases up to `limit` due events, oldest `created-at` first; expired leases are due again. */
  claim(options: ClaimOptions): Promise<ClaimedEvent[]>;
  /**
   * Applies the projection updates and marks the event done, in one transaction. Returns false (and
   * changes nothing) if the lease was lost to another worker.
   */
  complete(claim: ClaimedEvent, updates: ProjectionUpdate[], nowMs: number): Promise<boolean>;
  /** Records a failed attempt: back to pending at `retryAtMs`, or dead when `retryAtMs` is null. */
  fail(claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): Promise<boolean>;
  /**
   * Puts one done or dead event back in the queue, deciding atomically: `replayed`, `not_found`, or
   * `already_queued` when it is pending or processing (it will run without a replay).
   */
  replay(eventId: string, nowMs: number): Promise<ReplayOutcome>;
  /** Puts every dead event (optionally since a time, optionally of one name) back; returns how many. */
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): Promise<number>;
  /** Nulls bodies received before the cutoff; ids stay for deduplication. Returns how many. */
  purgeBodies(receivedBeforeMs: number): Promise<number>;

  getEvent(eventId: string): Promise<EventDetail | null>;
  listEvents(query: ListEventsQuery): Promise<EventPage>;
  counts(): Promise<InboxCounts>;
  getInquiry(inquiryId: string): Promise<InquiryView | null>;
  getKyc(referenceId: string): Promise<KycView | null>;
  /** Every fact the decision of one user is made from (empty lists for an unknown user). */
  getKycFacts(referenceId: string): Promise<KycFacts>;
  /** Users per stored decision, every decision value present (0 included). */
  countDecisions(): Promise<Record<KycDecisionValue, number>>;
  /**
   * Users with a stored decision, newest change first, filtered by decision and change time, in keyset
   * pages: the review queue is `{ decision: 'needs_review' }`. A bad cursor throws `InvalidCursorError`,
   * a limit outside 1–500 a `RangeError`.
   */
  listKyc(query: ListKycQuery): Promise<KycPage>;
  getVerification(verificationId: string): Promise<VerificationView | null>;
  /** The verifications of these inquiries, by inquiry, then status time. */
  listVerifications(inquiryIds: readonly string[]): Promise<VerificationView[]>;
  /**
   * The events that shaped an inquiry or a user (by inquiry id, and by the reference id the events
   * carried), ordered by created-at, then id: the order the projection applies them in.
   */
  timeline(query: TimelineQuery): Promise<Timeline>;
  /** Events received per minute since `sinceMs`, oldest first; minutes without events are left out. */
  receivedPerMinute(sinceMs: number): Promise<MinuteCount[]>;
  /** When the oldest unprocessed event and the newest event were received. */
  inboxTimes(): Promise<InboxTimes>;

  /**
   * Calls `listener` whenever new events may be due (an ingest in this process, or a notification from
   * another instance), so workers wake without waiting for their next poll. Returns an unsubscribe.
   */
  onEventsAvailable(listener: () => void): () => void;

  /** Waits for in-flight writes, then closes. Later calls reject with `StoreUnavailableError`. */
  close(): Promise<void>;
}
