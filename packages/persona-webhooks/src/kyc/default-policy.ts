/**
 * The default decision policy, documented in the library README ("The KYC decision"), made from
 * {@link KycPolicySettings} (`createKycPolicy`). It fails closed: a status no setting maps is
 * `needs_review` with a reason naming the status and the setting, never `approved`.
 *
 * 1. Inquiries and transactions are the automated decisions. The newest decided one (approved or
 *    declined, by its own created-at) holds until a newer decision. A newer one still in progress is a
 *    re-verification (a reason, not a decision); one that failed or expired leaves the decision as it
 *    was; one marked for review, or with an unmapped status, holds the user for review. With nothing
 *    decided, the newest says `needs_review` (marked for review, unmapped) or `pending`.
 * 2. Cases are human decisions. A case is resolved when Persona says so (`resolved-at`) or its status
 *    maps to an end (`resolved`, `approved`, `declined`); its outcome comes from its resolution, else
 *    its status. The newest resolved case decides when it is newer than the automated decision; a case
 *    declined stays declined whatever automated approval comes later (unless
 *    `laterApprovalOverridesCaseDecline`). An open case, or one whose status or outcome no setting maps,
 *    holds the user for review.
 * 3. Any report type's match (`has-match: true` or a `.matched` event) holds the user for review unless
 *    its type is informational, until a completed run without a match, a dismissal, or a case resolved
 *    after the match clears it. An errored run, or one that does not say, never clears it. An inquiry
 *    approval newer than the match does not clear it either (unless `laterApprovalClearsMatches`).
 * 4. Accounts: a status mapped to `needs_review` holds the user, one mapped to `declined` declines
 *    them, an unmapped one holds them.
 *
 * Holds never turn `declined` into `needs_review`. Every comparison uses event created-at (then event
 * id), never arrival order, so any permutation of a user's events gives the same decision.
 */
import type { KycDecision, KycDecisionValue, KycPolicy, KycReason } from './decision.js';
import type { AccountFact, CaseFact, KycFacts, ReportFact } from './facts.js';
import {
  type CaseResolutionOutcome,
  type CaseStatusOutcome,
  type KycPolicySettings,
  type ResolvedKycPolicySettings,
  resolveKycPolicySettings,
  settingsFingerprint,
  type VerificationOutcome,
  wordOutcome,
} from './policy-settings.js';

/** A policy made from settings; `fingerprint` names the rules and settings it applies. */
export type SettingsKycPolicy = KycPolicy & { readonly fingerprint: string };

/**
 * A decision policy from settings (a parsed policy file), defaults for what it leaves out.
 *
 * @example
 * const policy = createKycPolicy({ caseStatuses: { 'Declined by Team 1': 'declined' } });
 * const store = createSqliteStore({ database, kycPolicy: policy });
 */
export function createKycPolicy(settings: KycPolicySettings = {}): SettingsKycPolicy {
  const resolved = resolveKycPolicySettings(settings);
  const policy = (facts: KycFacts) => decide(resolved, facts);
  return Object.assign(policy, { fingerprint: settingsFingerprint(resolved) });
}

/**
 * Decides with the default settings.
 *
 * @example
 * const { decision, reasons } = defaultKycPolicy(await store.getKycFacts('user-123'));
 * if (decision === 'needs_review') console.log(reasons[0]?.message);
 */
export const defaultKycPolicy: SettingsKycPolicy = createKycPolicy();

/** An inquiry or a transaction: the automated decisions, on one timeline. */
interface Verification {
  fact: 'inquiry' | 'transaction';
  id: string;
  status: string;
  outcome: VerificationOutcome | undefined;
  /** Its own created-at (falls back to when its status was set): orders re-verifications. */
  ageMs: number;
  statusAtMs: number;
  eventId: string;
}

interface Timed {
  ms: number;
  eventId: string;
}

const NEVER: Timed = { ms: -1, eventId: '' };

function decide(settings: ResolvedKycPolicySettings, facts: KycFacts): KycDecision {
  const base = automatedDecision(settings, facts);
  let decision = base.decision;
  let decidedAt = base.decidedAt;
  const reasons: KycReason[] = [...base.reasons];
  const holds: KycReason[] = [...base.holds];

  const cases = facts.cases.map((c) => readCase(settings, c));
  const resolved = cases.filter((c) => c.resolved);
  const decisive = newest(
    resolved.filter((c) => c.outcome === 'approved' || c.outcome === 'declined'),
    (c) => caseTime(c.fact),
  );
  if (decisive) {
    const at = caseTime(decisive.fact);
    const humanDeclineStands = decisive.outcome === 'declined' && !settings.laterApprovalOverridesCaseDecline;
    if (at > decidedAt.ms || humanDeclineStands) {
      decision = decisive.outcome as KycDecisionValue;
      decidedAt = { ms: at, eventId: decisive.fact.statusEventId };
      reasons.unshift(caseDecisionReason(decisive.fact, decision, at <= base.decidedAt.ms));
    }
  }
  for (const c of cases) {
    if (!c.resolved) holds.push(c.outcome === 'open' ? openCaseReason(c.fact) : unmappedCaseStatus(c.fact));
    else if (c.outcome === 'needs_review' || c.outcome === undefined) holds.push(unmappedCaseOutcome(c.fact));
  }

  for (const report of facts.reports) {
    const reason = matchReason(
      settings,
      report,
      decidedAt,
      resolved.map((c) => c.fact),
    );
    if (reason) holds.push(reason);
  }

  let accountDeclined: KycReason | undefined;
  for (const account of facts.accounts) {
    if (account.status === null) continue;
    const meaning = settings.accountStatuses.get(account.status);
    if (meaning === 'clear') continue;
    const reason = accountReason(account, meaning);
    if (meaning === 'declined') accountDeclined ??= reason;
    else holds.push(reason);
  }
  if (accountDeclined && decision !== 'declined') {
    decision = 'declined';
    reasons.unshift(accountDeclined);
  }

  if (holds.length > 0 && decision !== 'declined') {
    decision = 'needs_review';
    reasons.unshift(...sortReasons(holds));
  } else {
    reasons.push(...sortReasons(holds));
  }
  return { decision, reasons };
}

interface AutomatedDecision {
  decision: KycDecisionValue;
  decidedAt: Timed;
  /** Why, the deciding one first (they do not hold the user). */
  reasons: KycReason[];
  /** What holds the user for review. */
  holds: KycReason[];
}

function automatedDecision(settings: ResolvedKycPolicySettings, facts: KycFacts): AutomatedDecision {
  const timeline = verifications(settings, facts).sort(byAgeDescending);
  const decidedIndex = timeline.findIndex((v) => v.outcome === 'approved' || v.outcome === 'declined');
  const decided = timeline[decidedIndex];
  if (decided === undefined) {
    const latest = timeline[0];
    if (latest === undefined)
      return { decision: 'pending', decidedAt: NEVER, reasons: [noInquiryReason()], holds: [] };
    const reason = verificationReason(settings, latest, `${latest.fact}_${latest.status}`);
    const hold = latest.outcome === 'needs_review' || latest.outcome === undefined;
    return hold
      ? { decision: 'needs_review', decidedAt: NEVER, reasons: [], holds: [reason] }
      : { decision: 'pending', decidedAt: NEVER, reasons: [reason], holds: [] };
  }
  const reasons = [verificationReason(settings, decided, `${decided.fact}_${decided.outcome}`)];
  const holds: KycReason[] = [];
  // Newer than the decision: a re-verification, which never replaces it until decided.
  for (const newer of timeline.slice(0, decidedIndex)) {
    if (newer.outcome === 'needs_review' || newer.outcome === undefined) {
      holds.push(verificationReason(settings, newer, `${newer.fact}_${newer.status}`));
    } else {
      const code = newer.outcome === 'abandoned' ? 'reverification_abandoned' : 'reverification_in_progress';
      reasons.push(verificationReason(settings, newer, code));
    }
  }
  return {
    decision: decided.outcome as KycDecisionValue,
    decidedAt: { ms: decided.statusAtMs, eventId: decided.eventId },
    reasons,
    holds,
  };
}

/** The user's inquiries and transactions that carry a status, with what each status means. */
function verifications(settings: ResolvedKycPolicySettings, facts: KycFacts): Verification[] {
  const list: Verification[] = [];
  for (const i of facts.inquiries) {
    if (i.status === null) continue;
    list.push({
      fact: 'inquiry',
      id: i.inquiryId,
      status: i.status,
      outcome: settings.inquiryStatuses.get(i.status),
      ageMs: i.inquiryCreatedAtMs ?? i.statusAtMs,
      statusAtMs: i.statusAtMs,
      eventId: i.statusEventId,
    });
  }
  for (const t of facts.transactions) {
    if (t.status === null) continue;
    list.push({
      fact: 'transaction',
      id: t.transactionId,
      status: t.status,
      outcome: settings.transactionStatuses.get(t.status),
      ageMs: t.transactionCreatedAtMs ?? t.statusAtMs,
      statusAtMs: t.statusAtMs,
      eventId: t.statusEventId,
    });
  }
  return list;
}

/** Newest first: by its own created-at, then by when its status was set, then by id. */
function byAgeDescending(a: Verification, b: Verification): number {
  return b.ageMs - a.ageMs || b.statusAtMs - a.statusAtMs || compareText(b.id, a.id);
}

interface ReadCase {
  fact: CaseFact;
  resolved: boolean;
  /** `open` while open; the outcome once resolved (undefined: nothing maps it). */
  outcome: CaseStatusOutcome | CaseResolutionOutcome | undefined;
}

function readCase(settings: ResolvedKycPolicySettings, c: CaseFact): ReadCase {
  const byStatus =
    c.status === null ? undefined : (settings.caseStatuses.get(c.status) ?? wordOutcome(c.status));
  const resolved =
    c.resolvedAtMs !== null || byStatus === 'resolved' || byStatus === 'approved' || byStatus === 'declined';
  if (!resolved) return { fact: c, resolved, outcome: c.status === null ? 'open' : byStatus };
  const byResolution =
    c.resolution === null
      ? undefined
      : (settings.caseResolutions.get(c.resolution) ?? wordOutcome(c.resolution));
  const fromStatus = byStatus === 'approved' || byStatus === 'declined' ? byStatus : undefined;
  return { fact: c, resolved, outcome: byResolution ?? fromStatus };
}

/** When a case was last decided or changed: the resolution time if known, else its status event's. */
function caseTime(c: CaseFact): number {
  return Math.max(c.statusAtMs, c.resolvedAtMs ?? 0);
}

/**
 * A match still standing: its newest matching run is newer than its newest clearing run, no case was
 * resolved after it, its type is not informational, and (only with `laterApprovalClearsMatches`) it is
 * newer than the decision.
 */
function matchReason(
  settings: ResolvedKycPolicySettings,
  report: ReportFact,
  decidedAt: Timed,
  resolvedCases: readonly CaseFact[],
): KycReason | null {
  if (report.matchAtMs === null || settings.informationalReportTypes.has(report.reportType)) return null;
  const match: Timed = { ms: report.matchAtMs, eventId: report.matchEventId ?? '' };
  if (
    report.clearedAtMs !== null &&
    !isAfter(match, { ms: report.clearedAtMs, eventId: report.clearedEventId ?? '' })
  )
    return null;
  if (resolvedCases.some((c) => caseTime(c) > match.ms)) return null;
  if (settings.laterApprovalClearsMatches && !isAfter(match, decidedAt)) return null;
  const kind = report.reportType.replaceAll('-', '_');
  const monitored = report.isContinuous === true ? ' (continuous monitoring)' : '';
  return {
    code: `${kind}_match`,
    fact: 'report',
    id: report.reportId,
    status: report.status,
    eventId: match.eventId,
    atMs: match.ms,
    message: `The ${report.reportType} report${monitored} found a match that no clean run, dismissal or resolved case has cleared; if this report type is informational, add "${report.reportType}" to informationalReportTypes.`,
    setting: 'informationalReportTypes',
  };
}

function isAfter(a: Timed, b: Timed): boolean {
  return a.ms > b.ms || (a.ms === b.ms && a.eventId > b.eventId);
}

function newest<T>(items: readonly T[], time: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || time(item) > time(best)) best = item;
  return best;
}

/** Reasons in a stable order: newest first, then by id, so permutations give equal lists. */
function sortReasons(reasons: KycReason[]): KycReason[] {
  return reasons.sort((a, b) => b.atMs - a.atMs || compareText(a.id, b.id) || compareText(a.code, b.code));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const VERIFICATION_MESSAGES: Record<string, string> = {
  inquiry_approved: 'The newest decided inquiry was approved.',
  inquiry_declined: 'The newest decided inquiry was declined.',
  transaction_approved: 'The newest decided transaction was approved.',
  transaction_declined: 'The newest decided transaction was declined.',
  inquiry_needs_review: 'The inquiry is marked for manual review.',
  transaction_needs_review: 'The transaction is marked for manual review.',
  reverification_in_progress:
    'A newer inquiry or transaction (re-verification) is in progress; the earlier decision holds.',
  reverification_abandoned:
    'A newer inquiry or transaction (re-verification) failed or expired; the earlier decision holds.',
};

function verificationReason(settings: ResolvedKycPolicySettings, v: Verification, code: string): KycReason {
  const setting = v.fact === 'inquiry' ? 'inquiryStatuses' : 'transactionStatuses';
  const unmapped = v.outcome === undefined;
  const map = v.fact === 'inquiry' ? settings.inquiryStatuses : settings.transactionStatuses;
  return {
    code: unmapped
      ? `${v.fact}_status_unmapped`
      : v.outcome === 'needs_review'
        ? `${v.fact}_needs_review`
        : code,
    fact: v.fact,
    id: v.id,
    status: v.status,
    eventId: v.eventId,
    atMs: v.statusAtMs,
    message: unmapped
      ? `The ${v.fact}'s status "${v.status}" is not one the policy reads; map it in ${setting} (one of approved, declined, needs_review, in_progress, abandoned).`
      : (VERIFICATION_MESSAGES[code] ??
        VERIFICATION_MESSAGES[`${v.fact}_${map.get(v.status)}`] ??
        `Nothing decided yet; the newest ${v.fact} is ${v.status}.`),
    setting,
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
    message: 'No inquiry or transaction has been seen for this user.',
  };
}

function caseDecisionReason(c: CaseFact, decision: KycDecisionValue, outranks: boolean): KycReason {
  return {
    code: `case_${decision}`,
    fact: 'case',
    id: c.caseId,
    status: c.resolution ?? c.status,
    eventId: c.statusEventId,
    atMs: caseTime(c),
    message: outranks
      ? `A reviewer's case was ${decision}; a later automated approval does not undo it (laterApprovalOverridesCaseDecline).`
      : `A case resolved after the last automated decision was ${decision}.`,
    setting: outranks ? 'laterApprovalOverridesCaseDecline' : 'caseResolutions',
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
    setting: 'caseStatuses',
  };
}

function unmappedCaseStatus(c: CaseFact): KycReason {
  return {
    code: 'case_status_unmapped',
    fact: 'case',
    id: c.caseId,
    status: c.status,
    eventId: c.statusEventId,
    atMs: c.statusAtMs,
    message: `The case's status "${c.status}" is not one the policy reads; map it in caseStatuses (open, resolved, approved or declined).`,
    setting: 'caseStatuses',
  };
}

function unmappedCaseOutcome(c: CaseFact): KycReason {
  const word = c.resolution ?? c.status;
  return {
    code: 'case_resolution_unmapped',
    fact: 'case',
    id: c.caseId,
    status: word,
    eventId: c.statusEventId,
    atMs: caseTime(c),
    message: `A case was resolved as "${word}", which the policy does not read as approved or declined; map it in ${c.resolution === null ? 'caseStatuses' : 'caseResolutions'}.`,
    setting: c.resolution === null ? 'caseStatuses' : 'caseResolutions',
  };
}

function accountReason(account: AccountFact, meaning: 'needs_review' | 'declined' | undefined): KycReason {
  return {
    code:
      meaning === undefined
        ? 'account_status_unmapped'
        : meaning === 'declined'
          ? 'account_declined'
          : 'account_status',
    fact: 'account',
    id: account.accountId,
    status: account.status,
    eventId: account.statusEventId,
    atMs: account.statusAtMs,
    message:
      meaning === undefined
        ? `The account's status "${account.status}" is not one the policy reads; map it in accountStatuses (clear, needs_review or declined).`
        : `The account's status is ${account.status}.`,
    setting: 'accountStatuses',
  };
}
