/**
 * Keeps each user's decision in SQLite, inside the transaction that completes the events: each
 * completion finds the users its updates concern through the facts it just wrote, and once the batch's
 * events are applied every one of those users is decided with a fixed number of statements (their
 * facts, their stored decisions), whatever their number. SQLite has one writer at a time, so no two
 * batches can each miss the other's facts.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import {
  type DecisionKey,
  type DecisionRow,
  decideUsers,
  decisionKeys,
  factObjectIds,
  factsFromRows,
  type OwnedDecisionRow,
  type OwnedFactRow,
} from '../kyc-decisions.js';
import { kycFactStatements, PLAIN_KYC_TABLES } from '../kyc-facts-sql.js';
import type { PrepareCached } from './statement-cache.js';

const FACTS = kycFactStatements(PLAIN_KYC_TABLES);

/** The users (reference ids) one decision key may concern, directly or through an inquiry or account. */
const AFFECTED_REFERENCES_SQL = `SELECT @reference_id AS reference_id WHERE @reference_id IS NOT NULL
UNION SELECT reference_id FROM inquiries WHERE reference_id IS NOT NULL
  AND (inquiry_id = @inquiry_id OR account_id = @account_id)
UNION SELECT reference_id FROM accounts WHERE reference_id IS NOT NULL AND account_id = @account_id`;

/**
 * Every fact of each user in the JSON array `@refs`, as `userFacts` finds them for one (see
 * `kyc-facts-sql.ts`), each row with its `owner`. SQLite has no LATERAL join, so the users' inquiries
 * and accounts are gathered once, and the cases and reports reach them through three joins whose
 * duplicates the UNIONs drop. Every join is a CROSS JOIN, which SQLite never reorders: left to itself,
 * without table statistics, the planner scanned the whole inquiries index and probed the few users.
 */
const MANY_FACTS_SQL = `WITH refs(owner) AS (SELECT DISTINCT value FROM json_each(@refs)),
user_inquiries AS MATERIALIZED (
  SELECT refs.owner, i.inquiry_id, i.account_id FROM refs CROSS JOIN inquiries i ON i.reference_id = refs.owner),
user_accounts AS MATERIALIZED (
  SELECT refs.owner, a.account_id FROM refs CROSS JOIN accounts a ON a.reference_id = refs.owner
  UNION SELECT owner, account_id FROM user_inquiries WHERE account_id IS NOT NULL),
user_cases AS (
  SELECT refs.owner, c.case_id FROM refs CROSS JOIN cases c ON c.reference_id = refs.owner
  UNION SELECT ua.owner, c.case_id FROM user_accounts ua CROSS JOIN cases c ON c.account_id = ua.account_id
  UNION SELECT ui.owner, c.case_id FROM user_inquiries ui CROSS JOIN cases c ON c.inquiry_id = ui.inquiry_id),
user_reports AS (
  SELECT refs.owner, r.report_id FROM refs CROSS JOIN reports r ON r.reference_id = refs.owner
  UNION SELECT ua.owner, r.report_id FROM user_accounts ua CROSS JOIN reports r ON r.account_id = ua.account_id
  UNION SELECT ui.owner, r.report_id FROM user_inquiries ui CROSS JOIN reports r ON r.inquiry_id = ui.inquiry_id)
SELECT refs.owner, 'inquiry' AS kind, i.inquiry_id AS id, NULL AS report_type, i.account_id, NULL AS inquiry_id,
  i.status, NULL AS resolution, NULL AS has_match, NULL AS is_continuous, i.status_at_ms, i.status_event_id,
  i.inquiry_created_at_ms AS time_a, i.redacted_at_ms AS time_b, NULL AS reference_id
FROM refs CROSS JOIN inquiries i ON i.reference_id = refs.owner
UNION ALL
SELECT uc.owner, 'case', c.case_id, NULL, c.account_id, c.inquiry_id, c.status, c.resolution, NULL, NULL,
  c.status_at_ms, c.status_event_id, c.resolved_at_ms, c.redacted_at_ms, c.reference_id
FROM user_cases uc CROSS JOIN cases c ON c.case_id = uc.case_id
UNION ALL
SELECT ur.owner, 'report', r.report_id, r.report_type, r.account_id, r.inquiry_id, r.status, NULL, r.has_match,
  r.is_continuous, r.status_at_ms, r.status_event_id, NULL, NULL, r.reference_id
FROM user_reports ur CROSS JOIN reports r ON r.report_id = ur.report_id
UNION ALL
SELECT ua.owner, 'account', a.account_id, NULL, NULL, NULL, a.status, NULL, NULL, NULL, a.status_at_ms,
  a.status_event_id, NULL, a.redacted_at_ms, a.reference_id
FROM user_accounts ua CROSS JOIN accounts a ON a.account_id = ua.account_id`;

const MANY_DECISIONS_SQL = `SELECT reference_id, decision, reasons FROM kyc_decisions
WHERE reference_id IN (SELECT value FROM json_each(@refs))`;

// Users per statement: far below SQLite's limits on a JSON argument, large enough that a rebuild
// batch or a worker batch is one read.
const USERS_PER_READ = 500;

/** Every fact of one user. */
export function readSqliteFacts(prepare: PrepareCached, referenceId: string): KycFacts {
  const rows = prepare(MANY_FACTS_SQL).all({ refs: JSON.stringify([referenceId]) }) as OwnedFactRow[];
  return factsFromRows(referenceId, rows);
}

/** The stored decision of one user, if any. */
export function readSqliteDecision(prepare: PrepareCached, referenceId: string): DecisionRow | undefined {
  return prepare(FACTS.getDecision).get({ reference_id: referenceId }) as DecisionRow | undefined;
}

/** Hears the decision changes of a transaction inside it (the outbox, the user's hook). */
export type RecordSqliteChanges = (changes: readonly DecisionChange[]) => void;

/**
 * The users whose decision `updates` (just applied) may change: those they name, and those reached
 * through the inquiries, accounts and the stored links of the cases and reports they touched.
 */
export function sqliteUsersConcerned(prepare: PrepareCached, updates: readonly ProjectionUpdate[]): string[] {
  const references = new Set<string>();
  const keys: DecisionKey[] = decisionKeys(updates);
  for (const id of factObjectIds(updates))
    keys.push(...(prepare(FACTS.factIdentity).all({ id }) as DecisionKey[]));
  for (const key of keys) {
    for (const row of prepare(AFFECTED_REFERENCES_SQL).all(key) as { reference_id: string }[]) {
      references.add(row.reference_id);
    }
  }
  return [...references];
}

/**
 * Decides every user in `causes` again (its values: the event that changed each one's decision) and
 * stores and records the changes, in the caller's transaction. Returns how many decisions changed.
 */
export function decideSqliteUsers(
  prepare: PrepareCached,
  policy: KycPolicy,
  causes: ReadonlyMap<string, string | null>,
  nowMs: number,
  record: RecordSqliteChanges,
): number {
  const referenceIds = [...causes.keys()];
  let changed = 0;
  for (let i = 0; i < referenceIds.length; i += USERS_PER_READ) {
    const chunk = referenceIds.slice(i, i + USERS_PER_READ);
    const refs = JSON.stringify(chunk);
    const { written, changes } = decideUsers(
      policy,
      chunk,
      prepare(MANY_FACTS_SQL).all({ refs }) as OwnedFactRow[],
      prepare(MANY_DECISIONS_SQL).all({ refs }) as OwnedDecisionRow[],
      (referenceId) => causes.get(referenceId) ?? null,
      nowMs,
    );
    for (const row of written) prepare(FACTS.upsertDecision).run(row);
    if (changes.length > 0) record(changes);
    changed += written.length;
  }
  return changed;
}
