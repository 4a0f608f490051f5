/**
 * Rebuilds the PostgreSQL KYC facts of events stored before version 5, one batch per transaction;
 * see `../kyc-rebuild.ts`. Each batch locks the marker row, so two instances starting at once rebuild
 * one batch at a time and never apply one twice; the facts' newest-wins upserts would make a repeat
 * harmless anyway.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import { kycFactStatements } from '../kyc-facts-sql.js';
import {
  REBUILD_BATCH_SIZE,
  type RebuildProgress,
  rebuildEventsCondition,
  rebuildUpdates,
} from '../kyc-rebuild.js';
import { updateStatements } from './apply-updates.js';
import type { Connections } from './connections.js';
import { decisionStatements } from './decisions.js';
import type { PostgresOutbox } from './outbox.js';
import { RowValues, rowValues } from './row-values.js';
import type { Tables } from './tables.js';

/** Finishes a pending rebuild, if any. */
export async function rebuildPostgresKycFacts(
  connections: Connections,
  t: Tables,
  policy: KycPolicy,
  recordMany: PostgresOutbox['recordMany'],
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
  const decisions = decisionStatements(t);
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
  const listed = await connections.use((client) => client.query(kycFactStatements(t).allReferences));
  const references = rowValues(listed.rows).map((row) => row.text('reference_id'));
  onProgress?.({ phase: 'decisions', done: 0, total: references.length });
  for (let i = 0; i < references.length; i += REBUILD_BATCH_SIZE) {
    const batch = references.slice(i, i + REBUILD_BATCH_SIZE);
    await connections.transaction(async (tx) => {
      await decisions.lockIds(tx, batch);
      await decisions.decideMany(tx, policy, batch, () => null, Date.now(), recordMany);
    });
    onProgress?.({
      phase: 'decisions',
      done: Math.min(i + batch.length, references.length),
      total: references.length,
    });
  }
  await connections.use((client) => client.query(`DELETE FROM ${t.kycRebuild} WHERE id = 1`));
}
