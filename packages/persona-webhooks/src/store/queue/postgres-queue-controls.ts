/**
 * What an operator does to the PostgreSQL queue by hand: replay one done or dead event, replay every
 * dead one, purge old bodies.
 */
import { MALFORMED_ID_PREFIX } from '../inbox/inbox-rows.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues } from '../postgres/row-values.js';
import type { Tables } from '../postgres/tables.js';
import type { ReplayOutcome } from './work-queue.js';

/** The operator controls of `PostgresWorkQueue`. */
export interface PostgresQueueControls {
  replay(eventId: string, nowMs: number): Promise<ReplayOutcome>;
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): Promise<number>;
  purgeBodies(receivedBeforeMs: number): Promise<number>;
}

/** Builds the controls over a migrated schema. */
export function createPostgresQueueControls(connections: Connections, t: Tables): PostgresQueueControls {
  // The attempt counter restarts so a replayed event gets a full set of retries; event_attempts keeps
  // the earlier history. $1 is always now.
  const replayColumns = `status = 'pending', run_at_ms = $1::bigint, attempts = 0, lease_token = NULL,
    lease_expires_at_ms = NULL, processed_at_ms = NULL`;
  // One statement: the row is locked, updated only if done or dead, and the outcome says which.
  const replaySql = `WITH target AS (SELECT id, status FROM ${t.events} WHERE id = $2 FOR UPDATE),
    replayed AS (
      UPDATE ${t.events} AS e SET ${replayColumns}
      FROM target WHERE e.id = target.id AND target.status IN ('done', 'dead')
      RETURNING e.id)
    SELECT CASE
      WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'not_found'
      WHEN EXISTS (SELECT 1 FROM replayed) THEN 'replayed'
      ELSE 'already_queued' END AS outcome`;
  const purgeSql = `UPDATE ${t.events} SET body = NULL WHERE received_at_ms < $1::bigint AND body IS NOT NULL`;

  return {
    async replay(eventId, nowMs) {
      const result = await connections.use((client) => client.query(replaySql, [nowMs, eventId]));
      return new RowValues(result.rows[0]).text('outcome') as ReplayOutcome;
    },

    // Quarantined bodies are skipped: they failed parsing and would only die again. `replay(id)` still
    // accepts one explicitly.
    async replayDead(filter, nowMs) {
      const values: unknown[] = [nowMs, MALFORMED_ID_PREFIX.length, MALFORMED_ID_PREFIX];
      const conditions = ["status = 'dead'", 'left(id, $2::int) <> $3::text'];
      if (filter.sinceMs !== undefined) {
        values.push(filter.sinceMs);
        conditions.push(`received_at_ms >= $${values.length}::bigint`);
      }
      if (filter.name !== undefined) {
        values.push(filter.name);
        conditions.push(`name = $${values.length}::text`);
      }
      const result = await connections.use((client) =>
        client.query(`UPDATE ${t.events} SET ${replayColumns} WHERE ${conditions.join(' AND ')}`, values),
      );
      return result.rowCount ?? 0;
    },

    async purgeBodies(receivedBeforeMs) {
      const result = await connections.use((client) => client.query(purgeSql, [receivedBeforeMs]));
      return result.rowCount ?? 0;
    },
  };
}
