/**
 * Keeps each user's decision in SQLite, inside the transaction that completes the events: each
 * completion finds the users its updates concern through the facts it just wrote, and once the batch's
 * events are applied every one of those users is decided with a fixed number of statements (their
 * facts, their stored decisions), whatever their number. SQLite has one writer at a time, so no two
 * batches can each miss the other's facts.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import { PLAIN_KYC_TABLES } from '../facts/kyc-tables.js';
import { concernedUsersSql, manyUserFactsSql } from '../facts/ownership-sql.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { decisionSql } from './decision-sql.js';
import {
  type ChangedObject,
  type DecisionRow,
  decideUsers,
  factsFromRows,
  type OwnedDecisionRow,
  type OwnedFactRow,
} from './kyc-decisions.js';

const DECISIONS = decisionSql(PLAIN_KYC_TABLES);

/** Every fact of each user in the JSON array `@refs`, each row with its `owner`. */
const MANY_FACTS_SQL = manyUserFactsSql(
  PLAIN_KYC_TABLES,
  'SELECT DISTINCT value FROM json_each(@refs)',
  'sqlite',
);

/**
 * The users whose facts may include an object of the JSON array `@objects` (`{ id, kind, origin }`
 * each), with the origins that reach each.
 */
const CONCERNED_USERS_SQL = concernedUsersSql(
  PLAIN_KYC_TABLES,
  "SELECT DISTINCT value ->> '$.id', value ->> '$.kind', value ->> '$.origin' FROM json_each(@objects)",
  'sqlite',
);

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
  return prepare(DECISIONS.getDecision).get({ reference_id: referenceId }) as DecisionRow | undefined;
}

/** Hears the decision changes of a transaction inside it (the outbox, the user's hook). */
export type RecordSqliteChanges = (changes: readonly DecisionChange[]) => void;

/** An object a completion changed, and which event of its batch changed it (`origin`, the index). */
export interface ChangedObjectOf extends ChangedObject {
  origin: number;
}

/**
 * The users whose decision the batch's changes (just applied) may change, found through the links stored
 * by now (the batch's own included), each with the last event of the batch that concerns them: one
 * statement for the whole batch.
 */
export function sqliteUsersConcerned(
  prepare: PrepareCached,
  objects: readonly ChangedObjectOf[],
): Map<string, number> {
  const lastOrigin = new Map<string, number>();
  if (objects.length === 0) return lastOrigin;
  const rows = prepare(CONCERNED_USERS_SQL).all({ objects: JSON.stringify(objects) }) as {
    reference_id: string;
    origin: number;
  }[];
  for (const { reference_id: user, origin } of rows) {
    lastOrigin.set(user, Math.max(origin, lastOrigin.get(user) ?? origin));
  }
  return lastOrigin;
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
    for (const row of written) prepare(DECISIONS.upsertDecision).run(row);
    if (changes.length > 0) record(changes);
    changed += written.length;
  }
  return changed;
}
