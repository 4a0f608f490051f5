/**
 * The PostgreSQL statements of a user's decision: read their facts and stored decision, lock users,
 * and decide one user again, recording a change (outbox, hook) in the same transaction. The decide pass
 * (`decider.ts`) runs them after the facts commit.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';
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
import { kycFactStatements, userFactsSql } from '../kyc-facts-sql.js';
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

  const manyFacts = `SELECT u.ref AS owner, f.* FROM unnest($1::text[]) AS u(ref)
    CROSS JOIN LATERAL (${userFactsSql(t, 'u.ref')}) AS f`;
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
    const factRows = (await tx.query(manyFacts, [referenceIds])).rows as (FactRow & { owner: string })[];
    const byOwner = new Map<string, FactRow[]>();
    for (const row of factRows) {
      const rows = byOwner.get(row.owner) ?? [];
      rows.push(row);
      byOwner.set(row.owner, rows);
    }
    const storedRows = (await tx.query(manyDecisions, [referenceIds])).rows as (DecisionRow & {
      reference_id: string;
    })[];
    const stored = new Map(storedRows.map((row) => [row.reference_id, row]));
    const changes: DecisionChange[] = [];
    const written: ReturnType<typeof decisionParams>[] = [];
    for (const referenceId of referenceIds) {
      const facts = factsFromRows(referenceId, byOwner.get(referenceId) ?? []);
      if (!hasFacts(facts)) continue;
      const next = policy(facts);
      const before = stored.get(referenceId);
      if (!decisionChanged(before, next)) continue;
      const cause = causes(referenceId);
      written.push(decisionParams(referenceId, next, cause, nowMs));
      changes.push(toDecisionChange(facts, before, next, cause, nowMs));
    }
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
    decideMany,

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
