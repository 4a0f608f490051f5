/**
 * Keeps each user's decision in PostgreSQL, inside the transaction that completes an event (see
 * `../kyc-decisions.ts`). Many instances complete events at once under READ COMMITTED, so two
 * completions could each miss the other's uncommitted facts: one writes a case of account A while
 * another links A to user R, and neither recomputes R with both. Each completion therefore first takes
 * transaction-scoped advisory locks on every id its updates name (reference, account and inquiry ids),
 * in sorted order: completions that share an id run one after the other, and the later one's reads see
 * the earlier one's commit.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import {
  type DecisionKey,
  type DecisionRow,
  decisionChanged,
  decisionKeys,
  decisionParams,
  type FactRow,
  factObjectIds,
  factsFromRows,
  hasFacts,
  lockPlan,
  toDecisionChange,
} from '../kyc-decisions.js';
import { kycFactStatements } from '../kyc-facts-sql.js';
import { positional } from '../named-params.js';
import type { PostgresQueryable } from './driver.js';
import type { RecordPostgresChange } from './outbox.js';
import type { Tables } from './tables.js';

/** The decision statements of one schema, rendered once. */
export function decisionStatements(t: Tables) {
  const sql = kycFactStatements(t);
  const userFacts = positional<{ reference_id: string }>(sql.userFacts);
  const affected = positional<DecisionKey>(sql.affectedReferences);
  const identity = positional<{ id: string }>(sql.factIdentity);
  const getDecision = positional<{ reference_id: string }>(sql.getDecision);
  const upsertDecision = positional<ReturnType<typeof decisionParams>>(sql.upsertDecision);
  // The subquery sorts before the locks are taken, so every transaction takes them in one order.
  const lock = `SELECT count(CASE WHEN shared THEN pg_advisory_xact_lock_shared(key) ELSE pg_advisory_xact_lock(key) END)
      AS locked
    FROM (SELECT hashtextextended(k, 0) AS key, shared FROM unnest($1::text[], $2::boolean[]) AS u(k, shared)
      ORDER BY 1) AS keys`;

  const readFacts = async (db: PostgresQueryable, referenceId: string): Promise<KycFacts> => {
    const result = await db.query(userFacts.text, userFacts.values({ reference_id: referenceId }));
    return factsFromRows(referenceId, result.rows as FactRow[]);
  };

  const readDecision = async (
    db: PostgresQueryable,
    referenceId: string,
  ): Promise<DecisionRow | undefined> => {
    const result = await db.query(getDecision.text, getDecision.values({ reference_id: referenceId }));
    return result.rows[0] as DecisionRow | undefined;
  };

  const refreshOne = async (
    tx: PostgresQueryable,
    policy: KycPolicy,
    referenceId: string,
    eventId: string | null,
    nowMs: number,
    record: RecordPostgresChange,
  ): Promise<boolean> => {
    const facts = await readFacts(tx, referenceId);
    if (!hasFacts(facts)) return false;
    const next = policy(facts);
    const stored = await readDecision(tx, referenceId);
    if (!decisionChanged(stored, next)) return false;
    await tx.query(
      upsertDecision.text,
      upsertDecision.values(decisionParams(referenceId, next, eventId, nowMs)),
    );
    await record(tx, toDecisionChange(facts, stored, next, eventId, nowMs));
    return true;
  };

  return {
    readFacts,
    readDecision,
    refreshOne,

    /** Serialises this transaction with every other one locking one of the same ids. */
    async lockIds(tx: PostgresQueryable, ids: readonly string[]): Promise<void> {
      const sorted = [...ids].sort();
      if (sorted.length > 0) await tx.query(lock, [sorted, sorted.map(() => false)]);
    },

    /** Takes the locks of {@link lockPlan} for these updates. */
    async lock(tx: PostgresQueryable, updates: readonly ProjectionUpdate[]): Promise<void> {
      const plan = lockPlan(updates);
      if (plan.length > 0) {
        await tx.query(lock, [plan.map((p) => p.key), plan.map((p) => p.shared)]);
      }
    },

    /** After `updates` were applied: refreshes the decision of every user they concern, recording changes. */
    async refresh(
      tx: PostgresQueryable,
      policy: KycPolicy,
      updates: readonly ProjectionUpdate[],
      eventId: string,
      nowMs: number,
      record: RecordPostgresChange,
    ): Promise<void> {
      const references = new Set<string>();
      const keys = decisionKeys(updates);
      for (const id of factObjectIds(updates)) {
        keys.push(...((await tx.query(identity.text, identity.values({ id }))).rows as DecisionKey[]));
      }
      for (const key of keys) {
        const result = await tx.query(affected.text, affected.values(key));
        for (const row of result.rows as { reference_id: string }[]) references.add(row.reference_id);
      }
      // Completions that reach one user through different ids (a report by inquiry, a case by
      // account) take turns here: the later one reads the earlier one's committed facts.
      const users = [...references].sort();
      if (users.length > 0) await tx.query(lock, [users, users.map(() => false)]);
      for (const referenceId of users) await refreshOne(tx, policy, referenceId, eventId, nowMs, record);
    },
  };
}

/** Statements of {@link decisionStatements}. */
export type DecisionStatements = ReturnType<typeof decisionStatements>;
