/**
 * The worker's side of the inbox on PostgreSQL: leasing due events, recording outcomes, and the admin
 * operations that put events back in the queue. Same semantics as `../sqlite/work-queue.ts`; the
 * difference is concurrency: many instances share the table, so claims use `FOR UPDATE SKIP LOCKED`
 * (no two instances ever lease the same row, and none waits for another), and every outcome is a
 * conditional UPDATE on the lease token, which both locks the row and proves the lease is still ours.
 *
 * Durability: claim, complete and fail commit with `synchronous_commit = off` (transaction-local), so
 * they never wait for a WAL flush. A database crash can then lose the last ~few hundred ms of them,
 * which is safe: a lost lease or done-mark only means the event runs again once its lease expires, and
 * the projection is idempotent (newest created-at wins). Ingest (`postgres-store.ts` insertBatch) keeps the server's
 * default, because acknowledging an event to Persona must mean it is on disk.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { LEASE_EXPIRED_ERROR, MALFORMED_ID_PREFIX, truncateError } from '../inbox-rows.js';
import type { ClaimedEvent, ClaimOptions } from '../store.js';
import { updateStatements } from './apply-updates.js';
import type { Db } from './connect.js';
import type { Tables } from './tables.js';

interface ClaimedRow {
  id: string;
  name: string;
  created_at_ms: number;
  body: Buffer | null;
  attempts: number;
  lease_token: string;
}

/** Deadlocks between a redaction's body scrub and another completion are rare and safe to retry. */
const COMPLETE_TRIES = 3;
const RETRYABLE = new Set(['40P01', '40001']);

/**
 * `SET LOCAL synchronous_commit = off` as an expression, for single autocommit statements: evaluated
 * during the statement, it holds for that statement's implicit transaction, whose commit comes after.
 */
export const ASYNC_COMMIT = "set_config('synchronous_commit', 'off', true)";

/** Thrown inside a completion whose lease was lost, to roll back the pipelined updates. */
const LEASE_LOST = Symbol('lease lost');

/**
 * The claim's pick: up to `limit` due rows, oldest created-at first, skipping rows other instances
 * hold. Written so that only the partial index `events_claim` can serve it (`NOT IN` and the CASE are
 * no index conditions for `events_status_received`): an ordered scan stopped after `limit` rows,
 * whatever the table statistics say (see migration 2). Exported so a test can EXPLAIN the exact SQL.
 */
export function dueEvents(sql: Db, t: Tables, nowMs: number, limit: number) {
  return sql`
    SELECT id, status AS previous_status FROM ${t.events}
    WHERE status NOT IN ('done', 'dead')
      AND CASE status WHEN 'pending' THEN run_at_ms ELSE lease_expires_at_ms END <= ${nowMs}
    ORDER BY created_at_ms, id
    LIMIT ${limit}
    FOR UPDATE SKIP LOCKED`;
}

/** Queue operations over one pool. */
export interface PostgresWorkQueue {
  claim(options: ClaimOptions): Promise<ClaimedEvent[]>;
  complete(claim: ClaimedEvent, updates: readonly ProjectionUpdate[], nowMs: number): Promise<boolean>;
  fail(claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): Promise<boolean>;
  replay(eventId: string, nowMs: number): Promise<boolean>;
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): Promise<number>;
  purgeBodies(receivedBeforeMs: number): Promise<number>;
}

/** Builds the queue operations over a migrated schema. */
export function createPostgresWorkQueue(sql: Db, t: Tables): PostgresWorkQueue {
  // The attempt counter restarts so a replayed event gets a full set of retries; event_attempts keeps
  // the earlier history.
  const replayColumns = (nowMs: number) => sql`
    status = 'pending', run_at_ms = ${nowMs}, attempts = 0, lease_token = NULL,
    lease_expires_at_ms = NULL, processed_at_ms = NULL`;

  // Everything after BEGIN goes out in one pipelined batch (three round trips in all, whatever the
  // number of updates); a lost lease is only known once the batch answered, so it rolls back.
  const completeOnce = (claim: ClaimedEvent, updates: readonly ProjectionUpdate[], nowMs: number) =>
    sql
      .begin(async (tx) => {
        const [, marked] = await Promise.all([
          tx`SET LOCAL synchronous_commit = off`,
          tx`
            UPDATE ${t.events}
            SET status = 'done', processed_at_ms = ${nowMs}, lease_token = NULL, lease_expires_at_ms = NULL,
              last_error = NULL
            WHERE id = ${claim.id} AND status = 'processing' AND lease_token = ${claim.leaseToken}`,
          ...updateStatements(tx, t, updates, nowMs),
          tx`
            UPDATE ${t.attempts} SET finished_at_ms = ${nowMs}, outcome = 'done', error = NULL
            WHERE event_id = ${claim.id} AND attempt = ${claim.attempt} AND finished_at_ms IS NULL`,
        ]);
        if (marked.count === 0) throw LEASE_LOST;
        return true;
      })
      .catch((error: unknown) => {
        if (error === LEASE_LOST) return false;
        throw error;
      });

  return {
    async claim({ limit, leaseMs, nowMs }) {
      // One statement: pick (skipping rows other instances hold), lease, close abandoned attempts and
      // open new ones.
      const rows = await sql<ClaimedRow[]>`
        WITH due AS (${dueEvents(sql, t, nowMs, limit)}), claimed AS (
          UPDATE ${t.events} AS e
          SET status = 'processing', attempts = e.attempts + 1, lease_token = gen_random_uuid()::text,
            lease_expires_at_ms = ${nowMs + leaseMs}
          FROM due WHERE e.id = due.id
          RETURNING e.id, e.name, e.created_at_ms, e.body, e.attempts, e.lease_token, due.previous_status
        ), abandoned AS (
          UPDATE ${t.attempts} AS a SET finished_at_ms = ${nowMs}, outcome = 'retry', error = ${LEASE_EXPIRED_ERROR}
          FROM claimed AS c
          WHERE a.event_id = c.id AND c.previous_status = 'processing' AND a.finished_at_ms IS NULL
        ), started AS (
          INSERT INTO ${t.attempts} (event_id, attempt, started_at_ms) SELECT id, attempts, ${nowMs} FROM claimed
        )
        SELECT id, name, created_at_ms, body, attempts, lease_token, ${sql.unsafe(ASYNC_COMMIT)} AS async_commit
        FROM claimed ORDER BY created_at_ms, id`;
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        createdAtMs: row.created_at_ms,
        body: row.body,
        attempt: row.attempts,
        leaseToken: row.lease_token,
      }));
    },

    async complete(claim, updates, nowMs) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await completeOnce(claim, updates, nowMs);
        } catch (error) {
          if (attempt >= COMPLETE_TRIES || !RETRYABLE.has(sqlState(error))) throw error;
        }
      }
    },

    async fail(claim, error, retryAtMs, nowMs) {
      const text = truncateError(error);
      const dead = retryAtMs === null;
      const [row] = await sql<{ failed: number }[]>`
        WITH failed AS (
          UPDATE ${t.events}
          SET status = ${dead ? 'dead' : 'pending'}, run_at_ms = COALESCE(${retryAtMs}::bigint, run_at_ms),
            last_error = ${text}, lease_token = NULL, lease_expires_at_ms = NULL
          WHERE id = ${claim.id} AND status = 'processing' AND lease_token = ${claim.leaseToken}
          RETURNING id
        ), finished AS (
          UPDATE ${t.attempts} SET finished_at_ms = ${nowMs}, outcome = ${dead ? 'dead' : 'retry'}, error = ${text}
          WHERE event_id IN (SELECT id FROM failed) AND attempt = ${claim.attempt} AND finished_at_ms IS NULL
        )
        SELECT count(*)::int AS failed, ${sql.unsafe(ASYNC_COMMIT)} AS async_commit FROM failed`;
      return (row?.failed ?? 0) > 0;
    },

    async replay(eventId, nowMs) {
      const result = await sql`
        UPDATE ${t.events} SET ${replayColumns(nowMs)} WHERE id = ${eventId} AND status IN ('done', 'dead')`;
      return result.count > 0;
    },

    // Quarantined bodies are skipped: they failed parsing and would only die again. `replay(id)` still
    // accepts one explicitly.
    async replayDead(filter, nowMs) {
      const result = await sql`
        UPDATE ${t.events} SET ${replayColumns(nowMs)}
        WHERE status = 'dead' AND left(id, ${MALFORMED_ID_PREFIX.length}) <> ${MALFORMED_ID_PREFIX}
          ${filter.sinceMs === undefined ? sql`` : sql`AND received_at_ms >= ${filter.sinceMs}`}
          ${filter.name === undefined ? sql`` : sql`AND name = ${filter.name}`}`;
      return result.count;
    },

    async purgeBodies(receivedBeforeMs) {
      const result = await sql`
        UPDATE ${t.events} SET body = NULL WHERE received_at_ms < ${receivedBeforeMs} AND body IS NOT NULL`;
      return result.count;
    },
  };
}

function sqlState(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}
