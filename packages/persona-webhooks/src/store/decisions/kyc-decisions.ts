/**
 * The dialect-free half of keeping each user's decision: which users an event's updates concern, how
 * fact rows become {@link KycFacts}, and how users are decided, stored and compared. Each store runs
 * these in the transaction that writes the decision (SQLite's completes the events; PostgreSQL's is the
 * decide pass right after the facts commit), so a stored decision always matches the facts it read.
 */
import {
  KYC_DECISION_VALUES,
  type KycDecision,
  type KycDecisionValue,
  type KycPolicy,
  type KycReason,
} from '../../kyc/decision.js';
import type { CaseFact, InquiryFact, KycFacts, ReportFact, TransactionFact } from '../../kyc/facts.js';
import type { LinkedKind, ProjectionUpdate } from '../../kyc/projection-update.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';

/** An object an update batch changed (its facts or its links), with its kind. */
export interface ChangedObject {
  id: string;
  kind: LinkedKind;
}

/**
 * The objects an update batch changed: the users to decide again are those whose facts may include one
 * of them (`concernedUsersSql`), found through the links committed by then.
 */
export function changedObjects(updates: readonly ProjectionUpdate[]): ChangedObject[] {
  const found = new Map<string, LinkedKind>();
  for (const u of updates) {
    if (u.kind === 'inquiry') found.set(u.inquiryId, 'inquiry');
    else if (u.kind === 'transaction') found.set(u.transactionId, 'transaction');
    else if (u.kind === 'case') found.set(u.caseId, 'case');
    else if (u.kind === 'report') found.set(u.reportId, 'report');
    else if (u.kind === 'account') found.set(u.accountId, 'account');
    else if (u.kind === 'links') found.set(u.objectId, u.objectKind);
  }
  return [...found].map(([id, kind]) => ({ id, kind }));
}

/** One letter per kind in a decider mark (`i:inq_…`); `r:` marks a user. */
const MARK_PREFIX: Readonly<Record<LinkedKind, string>> = {
  inquiry: 'i',
  account: 'a',
  transaction: 't',
  report: 'p',
  case: 'c',
};
const KIND_BY_PREFIX = new Map(
  Object.entries(MARK_PREFIX).map(([kind, prefix]) => [prefix, kind as LinkedKind]),
);

/**
 * The marks a PostgreSQL completion leaves for its decider (`postgres-decider.ts`): `r:` a user an
 * update names (the event is then what changed their decision), and one per changed object, its kind in
 * the prefix (`i:`, `a:`, `t:`, `p:` report, `c:` case), whose users must be decided again.
 */
export function dirtyMarks(updates: readonly ProjectionUpdate[]): string[] {
  const marks = new Set<string>();
  for (const u of updates) {
    if ((u.kind === 'inquiry' || u.kind === 'transaction' || u.kind === 'account') && u.referenceId !== null)
      marks.add(`r:${u.referenceId}`);
  }
  for (const { id, kind } of changedObjects(updates)) marks.add(`${MARK_PREFIX[kind]}:${id}`);
  return [...marks].sort();
}

/** Marks split into users and changed objects, as the decider's expansion query takes them. */
export function splitMarks(marks: readonly string[]): { references: string[]; objects: ChangedObject[] } {
  const split = { references: [] as string[], objects: [] as ChangedObject[] };
  for (const mark of marks) {
    const id = mark.slice(2);
    const prefix = mark.slice(0, 1);
    if (prefix === 'r') split.references.push(id);
    const kind = KIND_BY_PREFIX.get(prefix);
    if (kind) split.objects.push({ id, kind });
  }
  return split;
}

/** One row of `userFacts`; numbers may arrive as strings (PostgreSQL's int8). */
export interface FactRow {
  kind: 'inquiry' | 'transaction' | 'case' | 'report' | 'account';
  id: string;
  report_type: string | null;
  account_id: string | null;
  inquiry_id: string | null;
  status: string | null;
  resolution: string | null;
  has_match: number | string | null;
  is_continuous: number | string | null;
  status_at_ms: number | string;
  status_event_id: string;
  time_a: number | string | null;
  time_b: number | string | null;
  reference_id: string | null;
  match_at_ms: number | string | null;
  match_event_id: string | null;
  cleared_at_ms: number | string | null;
  cleared_event_id: string | null;
}

/** Maps `userFacts` rows to facts, each list in a stable order (by id). */
export function factsFromRows(referenceId: string, rows: readonly FactRow[]): KycFacts {
  const facts: KycFacts = {
    referenceId,
    inquiries: [],
    transactions: [],
    cases: [],
    reports: [],
    accounts: [],
  };
  for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const common = {
      status: row.status,
      statusAtMs: Number(row.status_at_ms),
      statusEventId: row.status_event_id,
    };
    if (row.kind === 'inquiry') {
      facts.inquiries.push({
        inquiryId: row.id,
        accountId: row.account_id,
        ...common,
        inquiryCreatedAtMs: numberOrNull(row.time_a),
        redactedAtMs: numberOrNull(row.time_b),
      } satisfies InquiryFact);
    } else if (row.kind === 'transaction') {
      facts.transactions.push({
        transactionId: row.id,
        ...common,
        transactionCreatedAtMs: numberOrNull(row.time_a),
        redactedAtMs: numberOrNull(row.time_b),
      } satisfies TransactionFact);
    } else if (row.kind === 'case') {
      facts.cases.push({
        caseId: row.id,
        referenceId: row.reference_id,
        accountId: row.account_id,
        inquiryId: row.inquiry_id,
        ...common,
        resolution: row.resolution,
        resolvedAtMs: numberOrNull(row.time_a),
        redactedAtMs: numberOrNull(row.time_b),
      } satisfies CaseFact);
    } else if (row.kind === 'report') {
      facts.reports.push({
        reportId: row.id,
        reportType: row.report_type ?? '',
        referenceId: row.reference_id,
        accountId: row.account_id,
        inquiryId: row.inquiry_id,
        ...common,
        hasMatch: booleanOrNull(row.has_match),
        isContinuous: booleanOrNull(row.is_continuous),
        matchAtMs: numberOrNull(row.match_at_ms),
        matchEventId: row.match_event_id,
        clearedAtMs: numberOrNull(row.cleared_at_ms),
        clearedEventId: row.cleared_event_id,
      } satisfies ReportFact);
    } else {
      facts.accounts.push({
        accountId: row.id,
        referenceId: row.reference_id,
        ...common,
        redactedAtMs: numberOrNull(row.time_b),
      });
    }
  }
  return facts;
}

/** A user with no fact at all gets no decision row. */
export function hasFacts(facts: KycFacts): boolean {
  return (
    facts.inquiries.length +
      facts.transactions.length +
      facts.cases.length +
      facts.reports.length +
      facts.accounts.length >
    0
  );
}

/** A stored decision row. */
export interface DecisionRow {
  decision: string;
  reasons: string;
}

/** The row a decision is stored as; `reasons` is the decision's reasons as JSON. */
export function decisionParams(
  referenceId: string,
  decision: KycDecision,
  reasons: string,
  eventId: string | null,
  nowMs: number,
) {
  return {
    reference_id: referenceId,
    decision: decision.decision,
    reasons,
    event_id: eventId,
    now_ms: nowMs,
  };
}

/** A stored row back as a decision. */
export function decisionFromRow(row: DecisionRow): KycDecision {
  return { decision: row.decision as KycDecisionValue, reasons: JSON.parse(row.reasons) as KycReason[] };
}

/** Users per decision, every decision value present. */
export function decisionCounts(
  rows: readonly { decision: string; n: number | string }[],
): Record<KycDecisionValue, number> {
  const counts = Object.fromEntries(KYC_DECISION_VALUES.map((value) => [value, 0])) as Record<
    KycDecisionValue,
    number
  >;
  for (const row of rows) counts[row.decision as KycDecisionValue] = Number(row.n);
  return counts;
}

function numberOrNull(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

function booleanOrNull(value: number | string | null): boolean | null {
  return value === null ? null : Number(value) !== 0;
}

/** A {@link FactRow} of a query over many users: `owner` is the user it belongs to. */
export type OwnedFactRow = FactRow & { owner: string };

/** A stored decision row with the user it belongs to. */
export type OwnedDecisionRow = DecisionRow & { reference_id: string };

/** What deciding some users again changed: the rows to store and the changes to announce. */
export interface DecisionWrites {
  written: ReturnType<typeof decisionParams>[];
  changes: DecisionChange[];
}

/**
 * Runs the policy over each user's facts (rows of many users, read with one query) and keeps those
 * whose decision or reasons differ from what is stored. Both stores decide this way, in the
 * transaction that writes `written` and records `changes`. `causes` names the event that changed a
 * user's decision.
 */
export function decideUsers(
  policy: KycPolicy,
  referenceIds: Iterable<string>,
  factRows: readonly OwnedFactRow[],
  storedRows: readonly OwnedDecisionRow[],
  causes: (referenceId: string) => string | null,
  nowMs: number,
): DecisionWrites {
  const byOwner = new Map<string, FactRow[]>();
  for (const row of factRows) {
    const rows = byOwner.get(row.owner);
    if (rows) rows.push(row);
    else byOwner.set(row.owner, [row]);
  }
  const stored = new Map(storedRows.map((row) => [row.reference_id, row]));
  const writes: DecisionWrites = { written: [], changes: [] };
  for (const referenceId of referenceIds) {
    const facts = factsFromRows(referenceId, byOwner.get(referenceId) ?? []);
    if (!hasFacts(facts)) continue;
    const next = policy(facts);
    const reasons = JSON.stringify(next.reasons);
    const before = stored.get(referenceId);
    // Unchanged when the decision and every reason are what is stored.
    if (before !== undefined && before.decision === next.decision && before.reasons === reasons) continue;
    const cause = causes(referenceId);
    writes.written.push(decisionParams(referenceId, next, reasons, cause, nowMs));
    writes.changes.push(toDecisionChange(facts, before, next, cause, nowMs));
  }
  return writes;
}

/** The change a decision made, for the outbox and the store's `onDecisionChanged` hook. */
export function toDecisionChange(
  facts: KycFacts,
  stored: DecisionRow | undefined,
  next: KycDecision,
  eventId: string | null,
  nowMs: number,
): DecisionChange {
  return {
    referenceId: facts.referenceId,
    decision: next.decision,
    previousDecision: stored ? (stored.decision as KycDecisionValue) : null,
    reasons: next.reasons,
    inquiryId: newestInquiryId(facts),
    personaEventId: eventId,
    changedAtMs: nowMs,
  };
}

function newestInquiryId(facts: KycFacts): string | null {
  let newest: InquiryFact | undefined;
  const age = (i: InquiryFact) => i.inquiryCreatedAtMs ?? i.statusAtMs;
  for (const inquiry of facts.inquiries)
    if (newest === undefined || age(inquiry) > age(newest)) newest = inquiry;
  return newest?.inquiryId ?? null;
}
