/**
 * The facts the KYC decision is made from: per object (inquiry, case, report, account) the newest
 * status by event created-at, the identifiers that tie the object to a user, and the event id that set
 * each status. No personal data: ids, object types, statuses, resolutions, a report's `has-match`,
 * timestamps. Never names, birthdates, addresses, matched list entries or `fields`.
 */

/** One inquiry as the projection keeps it. */
export interface InquiryFact {
  inquiryId: string;
  accountId: string | null;
  /** Normalised (`needs_review`), null when no event carried one. */
  status: string | null;
  /** Created-at of the event that set `status`, epoch ms. */
  statusAtMs: number;
  /** The event that set `status` (`''` when none did). */
  statusEventId: string;
  /** The inquiry's own created-at: orders a user's inquiries (re-verification is a newer inquiry). */
  inquiryCreatedAtMs: number | null;
  redactedAtMs: number | null;
}

/** One Persona case (manual review). */
export interface CaseFact {
  caseId: string;
  referenceId: string | null;
  /** The first account and inquiry the case relates to (`relationships.accounts`/`inquiries`). */
  accountId: string | null;
  inquiryId: string | null;
  /** Normalised status: `open`, `pending`, `resolved`, or a status the case template defines. */
  status: string | null;
  /** Normalised resolution (`approved`, `declined`, or the template's own), null while unresolved. */
  resolution: string | null;
  statusAtMs: number;
  statusEventId: string;
  resolvedAtMs: number | null;
  redactedAtMs: number | null;
}

/** One report run (watchlist, politically-exposed-person, adverse-media, …). */
export interface ReportFact {
  reportId: string;
  /** The report's type without the `report/` prefix, e.g. `watchlist`. */
  reportType: string;
  referenceId: string | null;
  accountId: string | null;
  inquiryId: string | null;
  /** Normalised: `pending`, `ready`, `errored`, … */
  status: string | null;
  /** Whether the newest run found a match; null when no event said. */
  hasMatch: boolean | null;
  /** Whether Persona re-runs it on a schedule (continuous monitoring). */
  isContinuous: boolean | null;
  statusAtMs: number;
  statusEventId: string;
}

/** One Persona account. */
export interface AccountFact {
  accountId: string;
  referenceId: string | null;
  /** Normalised account status (`account-status`), as the account type defines them. */
  status: string | null;
  statusAtMs: number;
  statusEventId: string;
  redactedAtMs: number | null;
}

/**
 * Everything known about one user (reference id): their inquiries, their accounts (by reference id or
 * through an inquiry), and the cases and reports tied to them, to those accounts or to those inquiries.
 */
export interface KycFacts {
  referenceId: string;
  inquiries: InquiryFact[];
  cases: CaseFact[];
  reports: ReportFact[];
  accounts: AccountFact[];
}
