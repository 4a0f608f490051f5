/**
 * The PostgreSQL statements of the users' decisions: read one user's facts and stored decision, lock
 * users, and decide many again, recording the changes (outbox, hook) in the same transaction. The decide
 * pass (`postgres-decider.ts`) and the rebuild run them after the facts commit.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import { concernedUsersSql, manyUserFactsSql } from '../facts/ownership-sql.js';
import { positional } from '../named-params.js';
import type { PostgresQueryable } from '../postgres/driver.js';
import type { Tables } from '../postgres/tables.js';
import { decisionSql } from './decision-sql.js';
import {
  type ChangedObject,
  type DecisionRow,
  decideUsers,
  factsFromRows,
  type OwnedDecisionRow,
  type OwnedFactRow,
} from './kyc-decisions.js';

/** The objects a pass's marks name, `$1` ids and `$2` kinds; a pass needs no origin (always 0). */
const CHANGED_OBJECTS_SQL =
  'SELECT DISTINCT id, kind, 0 FROM unnest($1::text[], $2::text[]) AS changed(id, kind)';

/** The decision statements of one schema, rendered once. */
export function decisionStatements(t: Tables) {
  const sql = decisionSql(t);
  const getDecision = positional<{ reference_id: string }>(sql.getDecision);
  // The subquery sorts before the locks are taken, so every transaction takes them in one order.
  const lock = `SELECT count(pg_advisory_xact_lock(key)) AS locked
    FROM (SELECT hashtextextended(k, 0) AS key FROM unnest($1::text[]) AS k ORDER BY 1) AS keys`;

  const manyFacts = manyUserFactsSql(t, 'SELECT DISTINCT unnest($1::text[])', 'postgres');
  const concerned = concernedUsersSql(t, CHANGED_OBJECTS_SQL, 'postgres');
  const manyDecisions = `SELECT reference_id, decision, reasons FROM ${t.decisions} WHERE reference_id = ANY($1::text[])`;
  const writeMany = `INSERT INTO ${t.decisions} AS d (reference_id, decision, reasons, event_id, updated_at_ms)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
    ON CONFLICT (reference_id) DO UPDATE SET decision = EXCLUDED.decision, reasons = EXCLUDED.reasons,
      event_id = EXCLUDED.event_id, updated_at_ms = EXCLUDED.updated_at_ms`;

  /**
   * Decides many users in one transaction with four statements whatever their number: their facts,
   * their stored decisions, the changed decisions, and their outbox messages (`recordMany`).
   */
  const decideMany = async (
    tx: PostgresQueryable,
    policy: KycPolicy,
    referenceIds: readonly string[],
    causes: (referenceId: string) => string | null,
    nowMs: number,
    recordMany: (tx: PostgresQueryable, changes: DecisionChange[]) => Promise<void>,
  ): Promise<number> => {
    if (referenceIds.length === 0) return 0;
    const { written, changes } = decideUsers(
      policy,
      referenceIds,
      (await tx.query(manyFacts, [referenceIds])).rows as OwnedFactRow[],
      (await tx.query(manyDecisions, [referenceIds])).rows as OwnedDecisionRow[],
      causes,
      nowMs,
    );
    if (written.length === 0) return 0;
    await tx.query(writeMany, [
      written.map((w) => w.reference_id),
      written.map((w) => w.decision),
      written.map((w) => w.reasons),
      written.map((w) => w.event_id),
      written.map((w) => w.now_ms),
    ]);
    await recordMany(tx, changes);
    return written.length;
  };

  const readFacts = async (db: PostgresQueryable, referenceId: string): Promise<KycFacts> => {
    const result = await db.query(manyFacts, [[referenceId]]);
    return factsFromRows(referenceId, result.rows as OwnedFactRow[]);
  };

  const readDecision = async (
    db: PostgresQueryable,
    referenceId: string,
  ): Promise<DecisionRow | undefined> => {
    const result = await db.query(getDecision.text, getDecision.values({ reference_id: referenceId }));
    return result.rows[0] as DecisionRow | undefined;
  };

  return {
    readFacts,
    readDecision,
    decideMany,

    /** Serialises this transaction with every other one locking one of the same ids. */
    async lockIds(tx: PostgresQueryable, ids: readonly string[]): Promise<void> {
      if (ids.length > 0) await tx.query(lock, [ids]);
    },

    /** The users whose facts may include one of these objects, through the links committed by now. */
    async concernedUsers(db: PostgresQueryable, objects: readonly ChangedObject[]): Promise<string[]> {
      if (objects.length === 0) return [];
      const result = await db.query(concerned, [objects.map((o) => o.id), objects.map((o) => o.kind)]);
      return result.rows.map((row) => String((row as { reference_id: unknown }).reference_id));
    },
  };
}

/** Statements of {@link decisionStatements}. */
export type DecisionStatements = ReturnType<typeof decisionStatements>;
