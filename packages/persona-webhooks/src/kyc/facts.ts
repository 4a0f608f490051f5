/**
 * The facts the KYC decision is made from: per object (inquiry, transaction, case, report, account) the
 * newest status by event created-at, the identifiers that tie the object to a user, and the event id
 * that set each status. No personal data: ids, object types, statuses, resolutions, a report's
 * `has-match`, timestamps. Never names, birthdates, addresses, matched list entries or `fields`.
 *
 * Which objects are one user's (see `store/facts/ownership-sql.ts`): their *anchors* are the inquiries,
 * accounts and transactions whose `reference-id` is the user's (the only object types whose documented
 * attributes carry one); every account or transaction linked to an anchor, and every inquiry linked to
 * an anchor transaction, is theirs too; then every report linked to any of those, and every case linked
 * to any of those or to those reports. Links are every relationship either side ever named, so a case
 * over several users concerns each of them, whatever order Persona lists them in.
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
  /** Kept for display only: cases carry no documented reference id, so it never ties a case to a user. */
  referenceId: string | null;
  /** The first account and inquiry the case named (display only: every link counts, see above). */
  accountId: string | null;
  inquiryId: string | null;
  /**
   * Normalised status: `open`, `resolved`, or a status the case template defines (`declined_by_team_1`);
   * the policy's `caseStatuses` map reads it.
   */
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
  /**
   * The newest run that found a match (`has-match: true` or a `.matched` event), whatever came after:
   * a later errored run or one that did not say must not hide it. Null when none did.
   */
  matchAtMs: number | null;
  matchEventId: string | null;
  /** The newest run that cleared it: a completed (`ready`) run with `has-match: false`, or `.dismissed`. */
  clearedAtMs: number | null;
  clearedEventId: string | null;
}

/** One Persona transaction: a decision object beside inquiries, with statuses the organisation names. */
export interface TransactionFact {
  transactionId: string;
  /** Normalised status (`approved`, `needs_review`, or the organisation's own); null when none was sent. */
  status: string | null;
  statusAtMs: number;
  statusEventId: string;
  /** The transaction's own created-at: orders it among the user's inquiries and transactions. */
  transactionCreatedAtMs: number | null;
  redactedAtMs: number | null;
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
 * Everything known about one user (reference id): their inquiries, transactions and accounts, and the
 * cases and reports linked to them (see the top of this file). Each list is sorted by id.
 */
export interface KycFacts {
  referenceId: string;
  inquiries: InquiryFact[];
  transactions: TransactionFact[];
  cases: CaseFact[];
  reports: ReportFact[];
  accounts: AccountFact[];
}
