/**
 * The PostgreSQL claim: one statement picks due events (skipping rows other instances hold), leases
 * them, closes the attempts of abandoned leases and opens new ones.
 */
import { LEASE_EXPIRED_ERROR } from '../inbox/inbox-rows.js';
import { ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { rowValues } from '../postgres/row-values.js';
import type { Tables } from '../postgres/tables.js';
import type { ClaimedEvent, ClaimOptions } from './work-queue.js';

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

/**
 * One statement: pick (skipping rows other instances hold), lease, close abandoned attempts and open
 * new ones. $1 now, $2 limit, $3 lease expiry, $4 the abandoned attempts' error.
 */
function claimSql(t: Tables): string {
  return `
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
}

/** Builds the claim; its SQL is rendered once, here. */
export function createPostgresClaim(
  connections: Connections,
  t: Tables,
): (options: ClaimOptions) => Promise<ClaimedEvent[]> {
  const sql = claimSql(t);
  return async ({ limit, leaseMs, nowMs }) => {
    const result = await connections.use((client) =>
      client.query(sql, [nowMs, limit, nowMs + leaseMs, LEASE_EXPIRED_ERROR]),
    );
    return rowValues(result.rows).map((row) => ({
      id: row.text('id'),
      name: row.text('name'),
      createdAtMs: row.int('created_at_ms'),
      body: row.bytesOrNull('body'),
      attempt: row.int('attempts'),
      leaseToken: row.text('lease_token'),
    }));
  };
}
