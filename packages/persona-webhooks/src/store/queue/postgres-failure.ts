/**
 * The PostgreSQL failure record: a failed attempt puts its event back to pending at the retry time, or
 * dead when there is none, and closes the attempt with the error, in one conditional statement on the
 * lease token.
 */
import { truncateError } from '../inbox/inbox-rows.js';
import { ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues } from '../postgres/row-values.js';
import type { Tables } from '../postgres/tables.js';
import type { ClaimedEvent } from './work-queue.js';

/** $1 status, $2 retry-at (null when dead), $3 error, $4 id, $5 token, $6 now, $7 outcome, $8 attempt. */
function failSql(t: Tables): string {
  return `
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
}

type Fail = (claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number) => Promise<boolean>;

/** Builds `fail` (false when the lease was lost); its SQL is rendered once, here. */
export function createPostgresFail(connections: Connections, t: Tables): Fail {
  const sql = failSql(t);
  return async (claim, error, retryAtMs, nowMs) => {
    const text = truncateError(error);
    const dead = retryAtMs === null;
    const result = await connections.use((client) =>
      client.query(sql, [
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
  };
}
