/**
 * The changes the KYC projection asks a store to apply. The projection itself is a pure function from
 * an event to these updates; each store applies them in SQL, in the same transaction that marks the
 * event done, with the "newest created-at wins" rule enforced by the database (so it holds across
 * processes and in any processing order).
 */

/** Set an inquiry's status if this event is newer (by created-at, then event id) than the one that set it. */
export interface InquiryStatusUpdate {
  kind: 'inquiry';
  inquiryId: string;
  /** Persona's `reference-id`: your user id. Kept once known; never cleared by a later event. */
  referenceId: string | null;
  accountId: string | null;
  /** Normalised status (`needs_review`, never `needs review`), or null when the payload carries none. */
  status: string | null;
  /** The event's created-at, epoch milliseconds: the ordering key. */
  statusAtMs: number;
  /** The event id, the tie-breaker when two events share a created-at. */
  eventId: string;
  /** The inquiry's own created-at, epoch milliseconds: picks a user's most recent inquiry. */
  inquiryCreatedAtMs: number | null;
  /** Set once by `inquiry.redacted`; never unset. */
  redactedAtMs: number | null;
}

/** Set a verification's status if this event is newer than the one that set it. */
export interface VerificationStatusUpdate {
  kind: 'verification';
  verificationId: string;
  inquiryId: string | null;
  /** The verification's type, e.g. `verification/government-id`. */
  verificationType: string;
  status: string | null;
  statusAtMs: number;
  eventId: string;
}

/** Set a case's status and resolution if this event is newer than the one that set them. */
export interface CaseStatusUpdate {
  kind: 'case';
  caseId: string;
  referenceId: string | null;
  accountId: string | null;
  inquiryId: string | null;
  /** Normalised; null when the payload carries none. */
  status: string | null;
  resolution: string | null;
  resolvedAtMs: number | null;
  statusAtMs: number;
  eventId: string;
  /** Set once by `case.redacted`; never unset. */
  redactedAtMs: number | null;
}

/** Set a report's status and match if this event is newer than the one that set them. */
export interface ReportStatusUpdate {
  kind: 'report';
  reportId: string;
  /** Without the `report/` prefix, e.g. `watchlist`. */
  reportType: string;
  referenceId: string | null;
  accountId: string | null;
  inquiryId: string | null;
  status: string | null;
  hasMatch: boolean | null;
  isContinuous: boolean | null;
  statusAtMs: number;
  eventId: string;
  /** True when this run found a match; `matchAtMs`/`matchEventId` keep the newest such run. */
  matched: boolean;
  /** True when this run cleared a match (a `ready` run without one, or `.dismissed`). */
  cleared: boolean;
}

/** Set a transaction's status if this event is newer than the one that set it. */
export interface TransactionStatusUpdate {
  kind: 'transaction';
  transactionId: string;
  /** The transaction's `reference-id`: the user it belongs to. Kept once known. */
  referenceId: string | null;
  status: string | null;
  statusAtMs: number;
  eventId: string;
  /** The transaction's own created-at, epoch milliseconds. */
  transactionCreatedAtMs: number | null;
  /** Set once by `transaction.redacted`; never unset. */
  redactedAtMs: number | null;
}

/** The kinds of object a link can join. */
export type LinkedKind = 'inquiry' | 'transaction' | 'case' | 'report' | 'account';

/**
 * Every relationship an event's object names (to-one or to-many) to an inquiry, transaction, case,
 * report or account. Stored in both directions and never removed, so links are the union of what
 * every event ever said, whatever order they arrived in.
 */
export interface LinksUpdate {
  kind: 'links';
  objectId: string;
  objectKind: LinkedKind;
  related: { id: string; kind: LinkedKind }[];
}

/** Set an account's status if this event is newer than the one that set it. */
export interface AccountStatusUpdate {
  kind: 'account';
  accountId: string;
  referenceId: string | null;
  /** Null for account events that carry no `account-status`: the row still records the link. */
  status: string | null;
  statusAtMs: number;
  eventId: string;
  /** Set once by `account.redacted`; never unset. */
  redactedAtMs: number | null;
}

/**
 * Null the stored raw bodies of every event of an inquiry, an account or another object (a case)
 * after a redaction event.
 */
export interface ScrubBodiesUpdate {
  kind: 'scrub';
  inquiryId: string | null;
  accountId: string | null;
  /** The redacted object's id when it is neither an inquiry nor an account (`case_…`). */
  objectId?: string | null;
}

export type ProjectionUpdate =
  | InquiryStatusUpdate
  | VerificationStatusUpdate
  | TransactionStatusUpdate
  | CaseStatusUpdate
  | ReportStatusUpdate
  | AccountStatusUpdate
  | LinksUpdate
  | ScrubBodiesUpdate;
