/**
 * The emulator's records: what a Persona environment holds for the APIs we use. Plain data, kept in
 * memory by `EmulatorState`; `persona-json.ts` turns them into Persona's JSON:API shapes.
 */
import type { ApiPermission } from '../persona-api/permissions.js';

/** An event as Persona keeps it: the resource object (`{type:"event",id,attributes}`) in kebab keys. */
export interface EmulatedEvent {
  /** Insertion order: breaks created-at ties so pagination is stable. */
  seq: number;
  id: string;
  name: string;
  createdAtMs: number;
  /** Id of the affected object (`inq_…`), for `filter[object-id]`. */
  objectId: string | null;
  resource: Record<string, unknown>;
}

export interface EmulatedSecret {
  value: string;
  /** Null while it is the current secret; set on the old one by a rotation. */
  expiresAtMs: number | null;
}

export type WebhookStatus = 'enabled' | 'disabled' | 'archived';
export type KeyInflection = 'kebab' | 'camel' | 'snake';

export interface EmulatedWebhook {
  id: string;
  url: string;
  status: WebhookStatus;
  enabledEvents: string[];
  apiVersion: string;
  keyInflection: KeyInflection;
  /** Newest first. */
  secrets: EmulatedSecret[];
  createdAtMs: number;
}

export type DeliveryStatus = 'pending' | 'completed' | 'failed' | 'skipped';

/** A webhook event (`wbhe_…`): one event for one webhook and its delivery attempts. */
export interface EmulatedDelivery {
  seq: number;
  id: string;
  webhookId: string;
  eventId: string;
  eventName: string;
  status: DeliveryStatus;
  attemptsMade: number;
  firstAttemptedAtMs: number | null;
  lastAttemptedAtMs: number | null;
  nextAttemptAtMs: number | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface EmulatedInquiry {
  id: string;
  referenceId: string | null;
  accountId: string;
  status: string;
  createdAtMs: number;
  redactedAtMs: number | null;
}

/**
 * A case's template: the statuses its reviewers move it through, named per template as in Persona
 * (`Open`, `Accept`, `Declined by Team 1`). Reaching an end status resolves the case (`resolved-at`).
 */
export interface EmulatedCaseTemplate {
  id: string;
  statuses: string[];
  endStatuses: string[];
}

/** A case (manual review) about one or more users, and optionally a report or transaction of theirs. */
export interface EmulatedCase {
  id: string;
  /**
   * The inquiries and accounts it relates to, one pair per user it is about (several for a
   * duplicate-identity or KYB case): how a receiver ties the case to each user. No inquiry: a case about
   * a report on a transaction of a user who has none.
   */
  inquiryIds: string[];
  accountIds: string[];
  /** The report or transaction it was opened about, related too; null when none. */
  reportId: string | null;
  /** The related report's type (without `report/`), when there is one. */
  reportType: string | null;
  transactionId: string | null;
  template: EmulatedCaseTemplate;
  /** Classic `open` / `resolved`, or one of the template's statuses. */
  status: string;
  /** `Approved`, `Declined` or a template's own; null while open. */
  resolution: string | null;
  /** Set when Persona resolves it (`/resolve`, or an end status); cleared when it reopens. */
  resolvedAtMs: number | null;
  createdAtMs: number;
}

/** A transaction of a user: its reference id, an organisation's own status, its account and inquiries. */
export interface EmulatedTransaction {
  id: string;
  referenceId: string;
  accountId: string;
  inquiryIds: string[];
  status: string;
  createdAtMs: number;
}

/** A report about one inquiry's user, re-run on a schedule when continuously monitored. */
export interface EmulatedReport {
  id: string;
  /** Without the `report/` prefix: `watchlist`, `politically-exposed-person`, … */
  reportType: string;
  /** Null for a report on a transaction of a user who has no inquiry. */
  inquiryId: string | null;
  accountId: string;
  /** The transaction it ran on; null when it ran on the inquiry's user only. */
  transactionId: string | null;
  /** Whether the newest run found a match. */
  hasMatch: boolean;
  isContinuous: boolean;
  /** How many times it has run. */
  runs: number;
  createdAtMs: number;
}

/** An API key and what it may do (`all`: everything). */
export type KeyPermissions = ReadonlySet<ApiPermission> | 'all';

/** Faults a user or a test turns on to watch reconciliation and retries work. */
export interface EmulatorFaults {
  /** The next N events are never delivered to any webhook (their record fails at once). */
  dropDeliveries: number;
  /** The next N delivery attempts fail as if the receiver were unreachable (Persona then retries). */
  failDeliveryAttempts: number;
  /** Every API answer waits this long first. */
  apiDelayMs: number;
  /** The next N API requests answer 500. */
  apiErrors: number;
}

/** One API request as the emulator saw it (no headers, no key). */
export interface ApiRequestRecord {
  /** When the request arrived. */
  atMs: number;
  method: string;
  /** Path and query, e.g. `/api/v1/events?page%5Bsize%5D=100`. */
  url: string;
  status: number;
}

/** One delivery attempt, for tests and for the user watching the emulator. */
export interface DeliveryAttemptRecord {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  eventName: string;
  attempt: number;
  startedAtMs: number;
  /** 0 when no answer arrived. */
  status: number;
  error: string | null;
  /** The Persona-Signature header sent (holds one `t=…,v1=…` set per live secret). */
  signature: string;
}
