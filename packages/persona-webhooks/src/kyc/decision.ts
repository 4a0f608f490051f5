/**
 * The decision a compliance team acts on, and the policy type that makes it from a user's facts.
 */
import type { KycFacts } from './facts.js';

/**
 * Every decision value, for validating a filter or listing a count per value (0 included).
 * `approved` / `declined`: decided. `needs_review`: a person must look (open case, new watchlist
 * match, inquiry marked for review). `pending`: nothing decided yet.
 */
export const KYC_DECISION_VALUES = Object.freeze([
  'approved',
  'declined',
  'needs_review',
  'pending',
] as const);

/** One of {@link KYC_DECISION_VALUES}. */
export type KycDecisionValue = (typeof KYC_DECISION_VALUES)[number];

/** Which kind of fact a reason points at. */
export type KycFactKind = 'inquiry' | 'transaction' | 'case' | 'report' | 'account';

/** One reason for a decision: the fact, and the event that set it, so "why" can always be shown. */
export interface KycReason {
  /** Stable machine code, e.g. `inquiry_approved`, `case_open`, `watchlist_match`. */
  code: string;
  fact: KycFactKind;
  /** The object's id (`inq_…`, `txn_…`, `case_…`, `rep_…`, `act_…`). */
  id: string;
  /** The fact's status (for a resolved case, its resolution); null when unknown. */
  status: string | null;
  /** The Persona event that set the fact (`evt_…`); `''` when none did. */
  eventId: string;
  /** That event's created-at, epoch ms. */
  atMs: number;
  /** One sentence for people; no personal data. */
  message: string;
  /**
   * The policy setting that produced this reason or can change it (`caseStatuses`,
   * `informationalReportTypes`, …); absent for a custom policy's reasons.
   */
  setting?: string;
}

/** A decision and every reason for it, the deciding one first. */
export interface KycDecision {
  decision: KycDecisionValue;
  reasons: KycReason[];
}

/**
 * A decision policy: a pure function from a user's facts to their decision. Pass your own to the
 * store (`kycPolicy`) or, in the service, export it as `kycPolicy` from the handlers module. It must
 * be deterministic: the same facts must always give the same decision, whatever order events came in.
 */
export type KycPolicy = (facts: KycFacts) => KycDecision;
