/**
 * The default decision policy, documented in the library README ("The KYC decision"):
 *
 * 1. The newest *decided* inquiry (approved or declined) holds until a newer decision. A newer inquiry
 *    that is still in progress (created, pending, completed, needs_review) is a re-verification in
 *    progress: a reason, not a new decision; one that failed or expired leaves the decision as it was.
 *    With no decided inquiry, the newest inquiry says `needs_review` (marked for review) or `pending`.
 * 2. A resolved case newer than that decision decides by its resolution (approved-like or declined-like
 *    words; any other resolution needs review). An open case (the user's, their account's or their
 *    inquiry's) makes any decision but `declined` `needs_review`.
 * 3. A watchlist, politically-exposed-person or adverse-media match (business and crypto-address
 *    watchlist variants included) newer
 *    than the decision, not cleared by a case resolved after it or by a later run of the same report
 *    without a match, makes any decision but `declined` `needs_review`, naming the report type.
 * 4. An account status that reads as blocking (blocked, suspended, frozen, closed, banned) makes any
 *    decision but `declined` `needs_review`.
 *
 * Every comparison uses event created-at (then event id), never arrival order, so any permutation of a
 * user's events gives the same decision.
 */
import type { KycDecision, KycDecisionValue, KycReason } from './decision.js';
import type { AccountFact, CaseFact, InquiryFact, KycFacts, ReportFact } from './facts.js';

const DECIDED = new Set(['approved', 'declined']);
const ABANDONED = new Set(['failed', 'expired']);
const RESOLVED_CASE_STATUSES = new Set([
  'resolved',
  'closed',
  'approved',
  'declined',
  'accepted',
  'rejected',
]);
const APPROVING = new Set(['approved', 'approve', 'accepted', 'accept', 'cleared', 'clear', 'passed']);
const DECLINING = new Set(['declined', 'decline', 'rejected', 'reject', 'denied', 'deny', 'failed']);
const BLOCKING_ACCOUNT = new Set(['blocked', 'suspended', 'frozen', 'closed', 'banned', 'locked']);
/** Report types whose match is a compliance finding (the `report/` prefix stripped). */
const SCREENING_REPORTS = new Set([
  'watchlist',
  'politically-exposed-person',
  'adverse-media',
  'business-watchlist',
  'business-adverse-media',
  'crypto-address-watchlist',
]);

/**
 * Decides with the default policy.
 *
 * @example
 * const { decision, reasons } = defaultKycPolicy(await store.getKycFacts('user-123'));
 * if (decision === 'needs_review') console.log(reasons[0]?.message);
 */
export function defaultKycPolicy(facts: KycFacts): KycDecision {
  const base = inquiryDecision(facts.inquiries);
  let decision = base.decision;
  let decidedAt = base.decidedAt;
  const reasons: KycReason[] = [...base.reasons];

  const resolvedCase = newest(
    facts.cases.filter((c) => isResolved(c) && caseTime(c) > decidedAt.ms),
    caseTime,
  );
  if (resolvedCase) {
    decision = caseOutcome(resolvedCase);
    decidedAt = { ms: caseTime(resolvedCase), eventId: resolvedCase.statusEventId };
    reasons.unshift(caseReason(resolvedCase, decision));
  }

  const review: KycReason[] = [];
  for (const open of facts.cases.filter((c) => !isResolved(c))) review.push(openCaseReason(open));
  for (const report of facts.reports) {
    const reason = matchReason(report, decidedAt.ms, facts.cases);
    if (reason) review.push(reason);
  }
  for (const account of facts.accounts) {
    if (account.status !== null && BLOCKING_ACCOUNT.has(account.status)) review.push(accountReason(account));
  }
  if (review.length > 0 && decision !== 'declined') {
    decision = 'needs_review';
    reasons.unshift(...sortReasons(review));
  } else {
    reasons.push(...sortReasons(review));
  }
  return { decision, reasons };
}

interface BaseDecision {
  decision: KycDecisionValue;
  decidedAt: { ms: number; eventId: string };
  reasons: KycReason[];
}

function inquiryDecision(inquiries: readonly InquiryFact[]): BaseDecision {
  const ordered = [...inquiries].sort(byInquiryAgeDescending);
  const decidedIndex = ordered.findIndex((i) => i.status !== null && DECIDED.has(i.status));
  const decided = ordered[decidedIndex];
  if (decided === undefined) {
    const newestInquiry = ordered[0];
    if (newestInquiry === undefined) {
      return { decision: 'pending', decidedAt: { ms: -1, eventId: '' }, reasons: [noInquiryReason()] };
    }
    const decision = newestInquiry.status === 'needs_review' ? 'needs_review' : 'pending';
    return {
      decision,
      decidedAt: { ms: -1, eventId: '' },
      reasons: [inquiryReason(newestInquiry, `inquiry_${newestInquiry.status ?? 'unknown'}`)],
    };
  }
  const reasons = [inquiryReason(decided, `inquiry_${decided.status}`)];
  // Inquiries created after the decision: a re-verification, which never replaces it until decided.
  for (const newer of ordered.slice(0, decidedIndex)) {
    const abandoned = newer.status !== null && ABANDONED.has(newer.status);
    reasons.push(inquiryReason(newer, abandoned ? 'reverification_abandoned' : 'reverification_in_progress'));
  }
  return {
    decision: decided.status as KycDecisionValue,
    decidedAt: { ms: decided.statusAtMs, eventId: decided.statusEventId },
    reasons,
  };
}

/** Newest inquiry first: by its own created-at, then by when its status was set, then by id. */
function byInquiryAgeDescending(a: InquiryFact, b: InquiryFact): number {
  const age = (b.inquiryCreatedAtMs ?? b.statusAtMs) - (a.inquiryCreatedAtMs ?? a.statusAtMs);
  if (age !== 0) return age;
  return b.statusAtMs - a.statusAtMs || compareText(b.inquiryId, a.inquiryId);
}

function isResolved(c: CaseFact): boolean {
  if (c.status !== null) return RESOLVED_CASE_STATUSES.has(c.status);
  return c.resolvedAtMs !== null;
}

/** When a case was last decided or changed: the resolution time if known, else its status event's. */
function caseTime(c: CaseFact): number {
  return Math.max(c.statusAtMs, c.resolvedAtMs ?? 0);
}

function caseOutcome(c: CaseFact): KycDecisionValue {
  const word = c.resolution ?? c.status ?? '';
  if (APPROVING.has(word)) return 'approved';
  if (DECLINING.has(word)) return 'declined';
  return 'needs_review';
}

/**
 * A screening match still standing: newer than the decision, and no case resolved after it. A newer
 * run of the same report without a match has already replaced this fact (newest run wins per report).
 */
function matchReason(report: ReportFact, decidedAtMs: number, cases: readonly CaseFact[]): KycReason | null {
  if (report.hasMatch !== true || !SCREENING_REPORTS.has(report.reportType)) return null;
  if (report.statusAtMs <= decidedAtMs) return null;
  if (cases.some((c) => isResolved(c) && caseTime(c) > report.statusAtMs)) return null;
  const kind = report.reportType.replaceAll('-', '_');
  const monitored = report.isContinuous === true ? ' (continuous monitoring)' : '';
  return {
    code: `${kind}_match`,
    fact: 'report',
    id: report.reportId,
    status: report.status,
    eventId: report.statusEventId,
    atMs: report.statusAtMs,
    message: `The ${report.reportType} report${monitored} found a match after the last decision.`,
  };
}

function newest<T>(items: readonly T[], time: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || time(item) > time(best)) best = item;
  return best;
}

/** Review reasons in a stable order: newest first, then by id, so permutations give equal lists. */
function sortReasons(reasons: KycReason[]): KycReason[] {
  return reasons.sort((a, b) => b.atMs - a.atMs || compareText(a.id, b.id) || compareText(a.code, b.code));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const INQUIRY_MESSAGES: Record<string, string> = {
  inquiry_approved: 'The newest decided inquiry was approved.',
  inquiry_declined: 'The newest decided inquiry was declined.',
  inquiry_needs_review: 'The inquiry is marked for manual review.',
  reverification_in_progress: 'A newer inquiry (re-verification) is in progress; the earlier decision holds.',
  reverification_abandoned:
    'A newer inquiry (re-verification) failed or expired; the earlier decision holds.',
};

function inquiryReason(inquiry: InquiryFact, code: string): KycReason {
  return {
    code,
    fact: 'inquiry',
    id: inquiry.inquiryId,
    status: inquiry.status,
    eventId: inquiry.statusEventId,
    atMs: inquiry.statusAtMs,
    message:
      INQUIRY_MESSAGES[code] ??
      `No decided inquiry yet; the newest is ${inquiry.status ?? 'without a status'}.`,
  };
}

function noInquiryReason(): KycReason {
  return {
    code: 'no_inquiry',
    fact: 'inquiry',
    id: '',
    status: null,
    eventId: '',
    atMs: 0,
    message: 'No inquiry has been seen for this user.',
  };
}

function caseReason(c: CaseFact, decision: KycDecisionValue): KycReason {
  const resolution = c.resolution ?? c.status;
  return {
    code: decision === 'needs_review' ? 'case_resolution_unrecognised' : `case_${decision}`,
    fact: 'case',
    id: c.caseId,
    status: resolution,
    eventId: c.statusEventId,
    atMs: caseTime(c),
    message:
      decision === 'needs_review'
        ? `A case was resolved as "${resolution}", which the default policy does not read as approved or declined.`
        : `A case resolved after the last inquiry decision was ${decision}.`,
  };
}

function openCaseReason(c: CaseFact): KycReason {
  return {
    code: 'case_open',
    fact: 'case',
    id: c.caseId,
    status: c.status,
    eventId: c.statusEventId,
    atMs: c.statusAtMs,
    message: `A case is open (${c.status ?? 'status unknown'}).`,
  };
}

function accountReason(account: AccountFact): KycReason {
  return {
    code: 'account_status',
    fact: 'account',
    id: account.accountId,
    status: account.status,
    eventId: account.statusEventId,
    atMs: account.statusAtMs,
    message: `The account's status is ${account.status}.`,
  };
}
