/**
 * The read model: what the admin API, the dashboard and the CLI show — events and their attempts,
 * inquiries, each user's facts and decision, the review queue, inbox figures. Reads only; the rows are
 * written by the inbox, the queue and the decisions. Each dialect's queries are beside this file.
 */
import type { KycDecisionValue, KycReason } from '../../kyc/decision.js';
import type { AccountFact, CaseFact, KycFacts, ReportFact, TransactionFact } from '../../kyc/facts.js';
import type { EventSource } from '../inbox/inbox.js';
import type { EventStatus } from '../queue/work-queue.js';

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

/** Every read the admin API, the dashboard and the CLI make. */
export interface ReadModel {
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
}
