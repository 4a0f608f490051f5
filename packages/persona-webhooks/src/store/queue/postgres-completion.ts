/**
 * The PostgreSQL completion: the done-mark (which proves the lease), the event's facts and the marks
 * on the users whose decision it may change, committed together. When every update can be a CTE, the
 * completion joins a group committed in one statement with the completions arriving meanwhile
 * (`postgres-grouped-completion.ts`); otherwise it is a transaction of its own, done-mark first.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { dirtyMarks } from '../decisions/kyc-decisions.js';
import type { Decider } from '../decisions/postgres-decider.js';
import { type UpdateStatements, updateStatements } from '../facts/postgres-apply-updates.js';
import { BEGIN_ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues } from '../postgres/row-values.js';
import type { Tables } from '../postgres/tables.js';
import { createGroupedCompletions, groupedCompletion } from './postgres-grouped-completion.js';
import { retryOnConflict } from './postgres-retry.js';
import type { ClaimedEvent } from './work-queue.js';

/** Thrown inside a completion whose lease was lost, to roll back. */
const LEASE_LOST = Symbol('lease lost');

/** What a completion in a transaction uses, built once per queue. */
interface Completion {
  connections: Connections;
  decider: Decider;
  updates: UpdateStatements;
  /** Marks the event done and closes its attempt; returns 0 when the lease was lost. */
  markDoneSql: string;
}

type Complete = (
  claim: ClaimedEvent,
  updates: readonly ProjectionUpdate[],
  nowMs: number,
) => Promise<boolean>;

/** Builds `complete`: its statements are rendered once, here. */
export function createPostgresComplete(connections: Connections, t: Tables, decider: Decider): Complete {
  const updates = updateStatements(t);
  const grouped = createGroupedCompletions(connections, t, decider, updates);
  const completion: Completion = {
    connections,
    decider,
    updates,
    markDoneSql: markDoneSql(t),
  };

  return async (claim, projection, nowMs) => {
    const member = groupedCompletion(claim, projection, nowMs);
    if (member) return grouped.submit(member);
    const completed = await retryOnConflict(() =>
      completeInTransaction(completion, claim, projection, nowMs),
    );
    // The users this event concerns are decided by the next pass, not awaited here (reads wait for
    // it); a failed pass leaves its marks for the next one, and the event itself is done either way.
    // Every fact kind counts, a case or report without links included: its mark is expanded
    // through the links stored by earlier events.
    if (completed && dirtyMarks(projection).length > 0) void decider.settle(nowMs).catch(() => {});
    return completed;
  };
}

/**
 * Marks one event done and closes its attempt ($1 now, $2 id, $3 lease token, $4 attempt); `marked` is
 * 0 when the lease was lost.
 */
function markDoneSql(t: Tables): string {
  return `WITH marked AS (
      UPDATE ${t.events}
      SET status = 'done', processed_at_ms = $1::bigint, lease_token = NULL, lease_expires_at_ms = NULL,
        last_error = NULL
      WHERE id = $2 AND status = 'processing' AND lease_token = $3
      RETURNING id
    ), finished AS (
      UPDATE ${t.attempts} SET finished_at_ms = $1::bigint, outcome = 'done', error = NULL
      WHERE event_id IN (SELECT id FROM marked) AND attempt = $4 AND finished_at_ms IS NULL
    )
    SELECT count(*) AS marked FROM marked`;
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
