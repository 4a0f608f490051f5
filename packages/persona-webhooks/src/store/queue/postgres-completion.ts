/**
 * The PostgreSQL completion: the done-mark (which proves the lease), the event's facts and the marks
 * on the users whose decision it may change, committed together. Folded into one statement when every
 * update can be a CTE; otherwise a transaction with the done-mark first.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { dirtyMarks } from '../decisions/kyc-decisions.js';
import type { Decider } from '../decisions/postgres-decider.js';
import { type UpdateStatements, updateStatements } from '../facts/postgres-apply-updates.js';
import { ASYNC_COMMIT, BEGIN_ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues } from '../postgres/row-values.js';
import { errorCode } from '../postgres/store-error.js';
import type { Tables } from '../postgres/tables.js';
import type { ClaimedEvent } from './work-queue.js';

/** Deadlocks between a redaction's body scrub and another completion are rare and safe to retry. */
const COMPLETE_TRIES = 3;
const RETRYABLE = new Set(['40P01', '40001']);

/** Thrown inside a completion whose lease was lost, to roll back. */
const LEASE_LOST = Symbol('lease lost');

/** What every completion uses, built once per queue. */
interface Completion {
  connections: Connections;
  decider: Decider;
  updates: UpdateStatements;
  /** Marks the event done and closes its attempt; `marked` is empty when the lease was lost. */
  markDoneCtes: string;
  markDoneSql: string;
}

type Complete = (
  claim: ClaimedEvent,
  updates: readonly ProjectionUpdate[],
  nowMs: number,
) => Promise<boolean>;

/** Builds `complete`: its statements are rendered once, here. */
export function createPostgresComplete(connections: Connections, t: Tables, decider: Decider): Complete {
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
  const completion: Completion = {
    connections,
    decider,
    updates: updateStatements(t),
    markDoneCtes,
    markDoneSql: `WITH ${markDoneCtes} SELECT count(*) AS marked FROM marked`,
  };

  return async (claim, projection, nowMs) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const completed = await completeOnce(completion, claim, projection, nowMs);
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
  };
}

function completeOnce(
  completion: Completion,
  claim: ClaimedEvent,
  projection: readonly ProjectionUpdate[],
  nowMs: number,
): Promise<boolean> {
  const folded = completion.updates.asCtes(projection, nowMs, 'marked', 5);
  return folded
    ? completeInOneStatement(completion, claim, folded, dirtyMarks(projection), nowMs)
    : completeInTransaction(completion, claim, projection, nowMs);
}

/**
 * One statement, one round trip: the done-mark and the projection upserts, which run only if the
 * done-mark proved the lease. Committed without waiting for the WAL flush, like every worker write.
 */
async function completeInOneStatement(
  { connections, decider, markDoneCtes }: Completion,
  claim: ClaimedEvent,
  folded: { ctes: string[]; values: unknown[] },
  marks: readonly string[],
  nowMs: number,
): Promise<boolean> {
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
}

/** A transaction, for what cannot share one statement (redaction scrubs; cases, reports, accounts). */
function completeInTransaction(
  { connections, decider, updates, markDoneSql }: Completion,
  claim: ClaimedEvent,
  projection: readonly ProjectionUpdate[],
  nowMs: number,
): Promise<boolean> {
  return connections
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
}
