/**
 * Rebuilds the PostgreSQL KYC facts of events stored before version 5, one batch per transaction;
 * see `kyc-rebuild.ts`. Each batch locks the marker row, so two instances starting at once rebuild
 * one batch at a time and never apply one twice; the facts' newest-wins upserts would make a repeat
 * harmless anyway.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import { policyFingerprint } from '../../kyc/policy-fingerprint.js';
import { updateStatements } from '../facts/postgres-apply-updates.js';
import { positional } from '../named-params.js';
import type { PostgresOutbox } from '../outbox/postgres-outbox.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues, rowValues } from '../postgres/row-values.js';
import type { Tables } from '../postgres/tables.js';
import { decisionSql } from './decision-sql.js';
import {
  type PolicyState,
  REBUILD_BATCH_SIZE,
  REDECIDE_BATCH_SIZE,
  type RebuildProgress,
  rebuildEventsCondition,
  rebuildUpdates,
  redecideStart,
} from './kyc-rebuild.js';
import { decisionStatements } from './postgres-decisions.js';

/** Finishes a pending rebuild of facts, if any (the decisions follow in `redecidePostgresUsers`). */
export async function rebuildPostgresKycFacts(
  connections: Connections,
  t: Tables,
  onProgress: ((progress: RebuildProgress) => void) | undefined,
): Promise<void> {
  const cursorSql = `SELECT after_created_at_ms, after_id FROM ${t.kycRebuild} WHERE id = 1`;
  const pending = await connections.use((client) => client.query(cursorSql));
  const start = pending.rows[0] ? new RowValues(pending.rows[0]) : undefined;
  if (start === undefined) return;
  const after = `(e.created_at_ms, e.id) > ($1::bigint, $2::text)`;
  const counted = await connections.use((client) =>
    client.query(
      `SELECT count(*) AS n FROM ${t.events} e WHERE ${rebuildEventsCondition('e')} AND ${after}`,
      [start.int('after_created_at_ms'), start.text('after_id')],
    ),
  );
  const total = new RowValues(counted.rows[0]).int('n');
  const updates = updateStatements(t);
  let done = 0;
  onProgress?.({ phase: 'facts', done, total });
  for (;;) {
    const moved = await connections.transaction(async (tx) => {
      const locked = await tx.query(`${cursorSql} FOR UPDATE`);
      if (locked.rows.length === 0) return 0;
      const cursor = new RowValues(locked.rows[0]);
      const batch = await tx.query(
        `SELECT e.id, e.created_at_ms, e.body FROM ${t.events} e WHERE ${rebuildEventsCondition('e')} AND ${after}
        ORDER BY e.created_at_ms, e.id LIMIT $3`,
        [cursor.int('after_created_at_ms'), cursor.text('after_id'), REBUILD_BATCH_SIZE],
      );
      const rows = rowValues(batch.rows);
      const now = Date.now();
      for (const row of rows) await updates.apply(tx, rebuildUpdates(row.bytesOrNull('body')), now);
      const last = rows.at(-1);
      if (last) {
        await tx.query(`UPDATE ${t.kycRebuild} SET after_created_at_ms = $1, after_id = $2 WHERE id = 1`, [
          last.int('created_at_ms'),
          last.text('id'),
        ]);
      }
      return rows.length;
    });
    done += moved;
    onProgress?.({ phase: 'facts', done: Math.min(done, total), total });
    if (moved < REBUILD_BATCH_SIZE) break;
  }
  await connections.use((client) => client.query(`DELETE FROM ${t.kycRebuild} WHERE id = 1`));
}

/**
 * Decides every user again when the policy in force is not the one their decisions were made under
 * (or when `force`), a batch per transaction that locks the policy row, so instances starting at once
 * share the walk and a pass cut short resumes after the last batch it committed.
 */
export async function redecidePostgresUsers(
  connections: Connections,
  t: Tables,
  policy: KycPolicy,
  recordMany: PostgresOutbox['recordMany'],
  onProgress: ((progress: RebuildProgress) => void) | undefined,
  force: boolean,
): Promise<void> {
  const fingerprint = policyFingerprint(policy);
  const stateSql = `SELECT fingerprint, redecide_fingerprint, redecide_after FROM ${t.kycPolicy} WHERE id = 1`;
  const state = (await connections.use((client) => client.query(stateSql))).rows[0] as
    | PolicyState
    | undefined;
  const start = state ? redecideStart(state, fingerprint, force) : null;
  if (start === null) return;
  await connections.use((client) =>
    client.query(`UPDATE ${t.kycPolicy} SET redecide_fingerprint = $1, redecide_after = $2 WHERE id = 1`, [
      fingerprint,
      start,
    ]),
  );
  const references = `SELECT reference_id FROM ${t.inquiries} WHERE reference_id IS NOT NULL
    UNION SELECT reference_id FROM ${t.accounts} WHERE reference_id IS NOT NULL
    UNION SELECT reference_id FROM ${t.transactions} WHERE reference_id IS NOT NULL`;
  const counted = await connections.use((client) =>
    client.query(
      `SELECT count(*) AS n, count(*) FILTER (WHERE reference_id <= $1) AS before FROM (${references}) AS r`,
      [start],
    ),
  );
  const counts = new RowValues(counted.rows[0]);
  const total = counts.int('n');
  let done = counts.int('before');
  const after = positional<{ after: string; limit: number }>(decisionSql(t).referencesAfter);
  const decisions = decisionStatements(t);
  onProgress?.({ phase: 'decisions', done, total });
  for (;;) {
    const decided = await connections.transaction(async (tx) => {
      const locked = (await tx.query(`${stateSql} FOR UPDATE`)).rows[0] as PolicyState | undefined;
      if (locked?.redecide_fingerprint !== fingerprint) return 0;
      const listed = await tx.query(
        after.text,
        after.values({ after: locked.redecide_after, limit: REDECIDE_BATCH_SIZE }),
      );
      const batch = rowValues(listed.rows).map((row) => row.text('reference_id'));
      await decisions.lockIds(tx, batch);
      await decisions.decideMany(tx, policy, batch, () => null, Date.now(), recordMany);
      if (batch.length < REDECIDE_BATCH_SIZE) {
        await tx.query(
          `UPDATE ${t.kycPolicy} SET fingerprint = $1, redecide_fingerprint = NULL, redecide_after = '' WHERE id = 1`,
          [fingerprint],
        );
      } else {
        await tx.query(`UPDATE ${t.kycPolicy} SET redecide_after = $1 WHERE id = 1`, [batch.at(-1)]);
      }
      return batch.length;
    });
    done += decided;
    onProgress?.({ phase: 'decisions', done: Math.min(done, total), total });
    if (decided < REDECIDE_BATCH_SIZE) break;
  }
}
