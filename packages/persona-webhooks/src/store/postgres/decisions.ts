/**
 * The PostgreSQL statements of a user's decision: read their facts and stored decision, lock users,
 * and decide one user again, recording a change (outbox, hook) in the same transaction. The decide pass
 * (`decider.ts`) runs them after the facts commit.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import {
  type DecisionKey,
  type DecisionRow,
  decisionChanged,
  decisionParams,
  type FactRow,
  factObjectIds,
  factsFromRows,
  hasFacts,
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
  const identity = positional<{ id: string }>(sql.factIdentity);
  const getDecision = positional<{ reference_id: string }>(sql.getDecision);
  const upsertDecision = positional<ReturnType<typeof decisionParams>>(sql.upsertDecision);
  // The subquery sorts before the locks are taken, so every transaction takes them in one order.
  const lock = `SELECT count(pg_advisory_xact_lock(key)) AS locked
    FROM (SELECT hashtextextended(k, 0) AS key FROM unnest($1::text[]) AS k ORDER BY 1) AS keys`;

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
      if (sorted.length > 0) await tx.query(lock, [sorted]);
    },

    /** The stored links (reference, account, inquiry ids) of the cases and reports `updates` touched. */
    async storedIdentities(
      tx: PostgresQueryable,
      updates: readonly ProjectionUpdate[],
    ): Promise<DecisionKey[]> {
      const keys: DecisionKey[] = [];
      for (const id of factObjectIds(updates)) {
        keys.push(...((await tx.query(identity.text, identity.values({ id }))).rows as DecisionKey[]));
      }
      return keys;
    },
  };
}

/** Statements of {@link decisionStatements}. */
export type DecisionStatements = ReturnType<typeof decisionStatements>;
