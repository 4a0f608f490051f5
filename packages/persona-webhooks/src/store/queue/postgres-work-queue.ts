/**
 * The worker's side of the inbox on PostgreSQL: leasing due events, recording outcomes, and the admin
 * operations that put events back in the queue. Same semantics as `sqlite-work-queue.ts`; the
 * difference is concurrency: many instances share the table, so claims use `FOR UPDATE SKIP LOCKED`
 * (no two instances ever lease the same row, and none waits for another), and every outcome is a
 * conditional UPDATE on the lease token, which both locks the row and proves the lease is still ours.
 *
 * Durability: claim, complete and fail commit with `synchronous_commit = off` (transaction-local), so
 * they never wait for a WAL flush. A database crash can then lose the last ~few hundred ms of them,
 * which is safe: a lost lease or done-mark only means the event runs again once its lease expires, and
 * the projection is idempotent (newest created-at wins). Ingest (`postgres-store.ts`) keeps the
 * server's default, because acknowledging an event to Persona must mean it is on disk.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { dirtyMarks } from '../decisions/kyc-decisions.js';
import type { Decider } from '../decisions/postgres-decider.js';
import { updateStatements } from '../facts/postgres-apply-updates.js';
import { LEASE_EXPIRED_ERROR, MALFORMED_ID_PREFIX, truncateError } from '../inbox/inbox-rows.js';
import { ASYNC_COMMIT, BEGIN_ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues, rowValues } from '../postgres/row-values.js';
import { errorCode } from '../postgres/store-error.js';
import type { Tables } from '../postgres/tables.js';
import type { ClaimedEvent, ClaimOptions, ReplayOutcome } from './work-queue.js';

/** Deadlocks between a redaction's body scrub and another completion are rare and safe to retry. */
const COMPLETE_TRIES = 3;
const RETRYABLE = new Set(['40P01', '40001']);

/** Thrown inside a completion whose lease was lost, to roll back. */
const LEASE_LOST = Symbol('lease lost');

/**
 * The claim's pick, with `$1` = now (ms) and `$2` = limit: up to `limit` due rows, oldest created-at
 * first, skipping rows other instances hold. Written so that only the partial index `events_claim` can
 * serve it (`NOT IN` and the CASE are no index conditions for `events_status_received`): an ordered scan
 * stopped after `limit` rows, whatever the table statistics say (see migration 2). Exported so a test
 * can EXPLAIN the exact SQL.
 */
export function dueEventsSql(t: Tables): string {
  return `SELECT id, status AS previous_status FROM ${t.events}
    WHERE status NOT IN ('done', 'dead')
      AND CASE status WHEN 'pending' THEN run_at_ms ELSE lease_expires_at_ms END <= $1::bigint
    ORDER BY created_at_ms, id
    LIMIT $2
    FOR UPDATE SKIP LOCKED`;
}

/** Queue operations over one pool. */
export interface PostgresWorkQueue {
  claim(options: ClaimOptions): Promise<ClaimedEvent[]>;
  complete(claim: ClaimedEvent, updates: readonly ProjectionUpdate[], nowMs: number): Promise<boolean>;
  fail(claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): Promise<boolean>;
  replay(eventId: string, nowMs: number): Promise<ReplayOutcome>;
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): Promise<number>;
  purgeBodies(receivedBeforeMs: number): Promise<number>;
}

/** Builds the queue operations over a migrated schema. */
export function createPostgresWorkQueue(
  connections: Connections,
  t: Tables,
  decider: Decider,
): PostgresWorkQueue {
  const updates = updateStatements(t);

  // One statement: pick (skipping rows other instances hold), lease, close abandoned attempts and open
  // new ones. $1 now, $2 limit, $3 lease expiry, $4 the abandoned attempts' error.
  const claimSql = `
    WITH due AS (${dueEventsSql(t)}), claimed AS (
      UPDATE ${t.events} AS e
      SET status = 'processing', attempts = e.attempts + 1, lease_token = gen_random_uuid()::text,
        lease_expires_at_ms = $3::bigint
      FROM due WHERE e.id = due.id
      RETURNING e.id, e.name, e.created_at_ms, e.body, e.attempts, e.lease_token, due.previous_status
    ), abandoned AS (
      UPDATE ${t.attempts} AS a SET finished_at_ms = $1::bigint, outcome = 'retry', error = $4::text
      FROM claimed AS c
      WHERE a.event_id = c.id AND c.previous_status = 'processing' AND a.finished_at_ms IS NULL
    ), started AS (
      INSERT INTO ${t.attempts} (event_id, attempt, started_at_ms) SELECT id, attempts, $1::bigint FROM claimed
    )
    SELECT id, name, created_at_ms, body, attempts, lease_token, ${ASYNC_COMMIT} AS async_commit
    FROM claimed ORDER BY created_at_ms, id`;

  // Marks the event done and closes its attempt; `marked` is empty when the lease was lost.
  // $1 now, $2 id, $3 lease token, $4 attempt.
  const markDoneCtes = `
    marked AS (
      UPDATE ${t.events}
      SET status = 'done', processed_at_ms = $1::bigint, lease_token = NULL, lease_expires_at_ms = NULL,
        last_error = NULL
      WHERE id = $2 AND status = 'processing' AND lease_token = $3
      RETURNING id
    ), finished AS (
      UPDATE ${t.attempts} SET finished_at_ms = $1::bigint, outcome = 'done', error = NULL
      WHERE event_id IN (SELECT id FROM marked) AND attempt = $4 AND finished_at_ms IS NULL
    )`;
  const markDoneSql = `WITH ${markDoneCtes} SELECT count(*) AS marked FROM marked`;

  // $1 status, $2 retry-at (null when dead), $3 error, $4 id, $5 token, $6 now, $7 outcome, $8 attempt.
  const failSql = `
    WITH failed AS (
      UPDATE ${t.events}
      SET status = $1::text, run_at_ms = COALESCE($2::bigint, run_at_ms), last_error = $3::text,
        lease_token = NULL, lease_expires_at_ms = NULL
      WHERE id = $4 AND status = 'processing' AND lease_token = $5
      RETURNING id
    ), finished AS (
      UPDATE ${t.attempts} SET finished_at_ms = $6::bigint, outcome = $7::text, error = $3::text
      WHERE event_id IN (SELECT id FROM failed) AND attempt = $8 AND finished_at_ms IS NULL
    )
    SELECT count(*) AS failed, ${ASYNC_COMMIT} AS async_commit FROM failed`;

  // The attempt counter restarts so a replayed event gets a full set of retries; event_attempts keeps
  // the earlier history. $1 is always now.
  const replayColumns = `status = 'pending', run_at_ms = $1::bigint, attempts = 0, lease_token = NULL,
    lease_expires_at_ms = NULL, processed_at_ms = NULL`;

  /**
   * One statement, one round trip: the done-mark and the projection upserts, which run only if the
   * done-mark proved the lease. Committed without waiting for the WAL flush, like every worker write.
   */
  const completeInOneStatement = async (
    claim: ClaimedEvent,
    folded: { ctes: string[]; values: unknown[] },
    marks: readonly string[],
    nowMs: number,
  ): Promise<boolean> => {
    const values = [nowMs, claim.id, claim.leaseToken, claim.attempt, ...folded.values];
    const ctes = [markDoneCtes, ...folded.ctes];
    if (marks.length > 0) {
      // The users to decide again, marked only if the done-mark proved the lease.
      values.push(marks);
      const marking = decider.markSql(`$${values.length}`, '$2', 'EXISTS (SELECT 1 FROM marked)');
      ctes.push(`marking AS (${marking})`);
    }
    const sql = `WITH ${ctes.join(',\n')}
      SELECT count(*) AS marked, ${ASYNC_COMMIT} AS async_commit FROM marked`;
    const result = await connections.use((client) => client.query(sql, values));
    return new RowValues(result.rows[0]).int('marked') > 0;
  };

  /** A transaction, for what cannot share one statement (redaction scrubs; cases, reports, accounts). */
  const completeInTransaction = (
    claim: ClaimedEvent,
    projection: readonly ProjectionUpdate[],
    nowMs: number,
  ) =>
    connections
      .transaction(async (tx) => {
        // The done-mark goes first: it locks the event row and proves the lease before any update runs.
        const marked = await tx.query(markDoneSql, [nowMs, claim.id, claim.leaseToken, claim.attempt]);
        if (new RowValues(marked.rows[0]).int('marked') === 0) throw LEASE_LOST;
        await updates.apply(tx, projection, nowMs);
        // A case or report whose event dropped its relationships still reaches its users: its mark
        // is expanded through the links stored by earlier events.
        const marks = dirtyMarks(projection);
        if (marks.length > 0) {
          await tx.query(decider.markSql('$1', '$2'), [marks, claim.id]);
        }
        return true;
      }, BEGIN_ASYNC_COMMIT)
      .catch((error: unknown) => {
        if (error === LEASE_LOST) return false;
        throw error;
      });

  const completeOnce = (claim: ClaimedEvent, projection: readonly ProjectionUpdate[], nowMs: number) => {
    const folded = updates.asCtes(projection, nowMs, 'marked', 5);
    return folded
      ? completeInOneStatement(claim, folded, dirtyMarks(projection), nowMs)
      : completeInTransaction(claim, projection, nowMs);
  };

  return {
    async claim({ limit, leaseMs, nowMs }) {
      const result = await connections.use((client) =>
        client.query(claimSql, [nowMs, limit, nowMs + leaseMs, LEASE_EXPIRED_ERROR]),
      );
      return rowValues(result.rows).map((row) => ({
        id: row.text('id'),
        name: row.text('name'),
        createdAtMs: row.int('created_at_ms'),
        body: row.bytesOrNull('body'),
        attempt: row.int('attempts'),
        leaseToken: row.text('lease_token'),
      }));
    },

    async complete(claim, projection, nowMs) {
      for (let attempt = 1; ; attempt++) {
        try {
          const completed = await completeOnce(claim, projection, nowMs);
          // The users this event concerns are decided by the next pass, not awaited here (reads wait for
          // it); a failed pass leaves its marks for the next one, and the event itself is done either way.
          // Every fact kind counts, a case or report without links included: its mark is expanded
          // through the links stored by earlier events.
          if (completed && dirtyMarks(projection).length > 0) void decider.settle(nowMs).catch(() => {});
          return completed;
        } catch (error) {
          if (attempt >= COMPLETE_TRIES || !RETRYABLE.has(errorCode(error) ?? '')) throw error;
        }
      }
    },

    async fail(claim, error, retryAtMs, nowMs) {
      const text = truncateError(error);
      const dead = retryAtMs === null;
      const result = await connections.use((client) =>
        client.query(failSql, [
          dead ? 'dead' : 'pending',
          retryAtMs,
          text,
          claim.id,
          claim.leaseToken,
          nowMs,
          dead ? 'dead' : 'retry',
          claim.attempt,
        ]),
      );
      return new RowValues(result.rows[0]).int('failed') > 0;
    },

    // One statement: the row is locked, updated only if done or dead, and the outcome says which.
    async replay(eventId, nowMs) {
      const result = await connections.use((client) =>
        client.query(
          `WITH target AS (SELECT id, status FROM ${t.events} WHERE id = $2 FOR UPDATE),
          replayed AS (
            UPDATE ${t.events} AS e SET ${replayColumns}
            FROM target WHERE e.id = target.id AND target.status IN ('done', 'dead')
            RETURNING e.id)
          SELECT CASE
            WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'not_found'
            WHEN EXISTS (SELECT 1 FROM replayed) THEN 'replayed'
            ELSE 'already_queued' END AS outcome`,
          [nowMs, eventId],
        ),
      );
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
      const result = await connections.use((client) =>
        client.query(
          `UPDATE ${t.events} SET body = NULL WHERE received_at_ms < $1::bigint AND body IS NOT NULL`,
          [receivedBeforeMs],
        ),
      );
      return result.rowCount ?? 0;
    },
  };
}
