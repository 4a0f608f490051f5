/**
 * Grouped completions on PostgreSQL: the completions that arrive while the event loop is busy are
 * committed in ONE statement, so the group costs one round trip (each query is a socket write, and
 * those writes were the worker's largest CPU cost). The statement is one fixed text whatever the group
 * (`groupedCompletionSql`): every event's row of each kind travels in arrays, so PostgreSQL plans it in
 * constant time — a CTE per event and update, as it was first, took PostgreSQL 10–20 ms to plan for a
 * group of 30, more than the work itself. Each event's done-mark proves its lease, and its rows (fact
 * upserts, links, decider marks) are kept only if its id was done-marked, so a lost lease costs that
 * event only. Committed without waiting for the WAL flush, like every worker write.
 *
 * PostgreSQL refuses an `ON CONFLICT DO UPDATE` that changes one row twice in a statement, so an event
 * joins the queued group only if none of the rows it changes is changed by an event already in it: its
 * fact rows, its decider marks (`kyc_dirty` is upserted with DO UPDATE too) and its own event row.
 * Otherwise the queued group is sent and the event starts the next one.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { dirtyMarks } from '../decisions/kyc-decisions.js';
import type { Decider } from '../decisions/postgres-decider.js';
import { foldedRows, type UpdateStatements } from '../facts/postgres-apply-updates.js';
import { GroupCommit } from '../group-commit.js';
import { positional } from '../named-params.js';
import { ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { isUnavailable } from '../postgres/store-error.js';
import type { Tables } from '../postgres/tables.js';
import { retryOnConflict } from './postgres-retry.js';
import type { ClaimedEvent } from './work-queue.js';

/** Events per statement: enough to absorb a busy tick, small enough to keep the statement quick. */
const MAX_GROUP = 64;

/** One event's completion, as queued. */
export interface GroupedCompletion {
  claim: ClaimedEvent;
  projection: readonly ProjectionUpdate[];
  nowMs: number;
  /** The users (and objects) to decide again, from `dirtyMarks`. */
  marks: readonly string[];
  /** What its part of the statement changes: no two events of one statement may share a key. */
  keys: readonly string[];
}

/** The completion as a group member; null when its updates cannot share a statement (`foldedRows`). */
export function groupedCompletion(
  claim: ClaimedEvent,
  projection: readonly ProjectionUpdate[],
  nowMs: number,
): GroupedCompletion | null {
  const rows = foldedRows(projection);
  if (rows === null) return null;
  const marks = dirtyMarks(projection);
  const keys = [`e:${claim.id}`, ...rows, ...marks.map((mark) => `m:${mark}`)];
  return { claim, projection, nowMs, marks, keys };
}

/** The queue of grouped completions; each caller's promise says whether its lease held. */
export function createGroupedCompletions(
  connections: Connections,
  t: Tables,
  decider: Decider,
  updates: UpdateStatements,
): GroupCommit<GroupedCompletion, boolean> {
  const statement = groupedCompletionSql(t, decider, updates);
  return new GroupCommit<GroupedCompletion, boolean>({
    maxBatchSize: MAX_GROUP,
    fits: groupFits(),
    commit: async (items) => {
      const values = statement.values(items);
      const result = await retryOnConflict(() =>
        connections.use((client) => client.query(statement.text, values)),
      );
      const done = new Set(result.rows.map((row) => String((row as { id: unknown }).id)));
      return items.map((item) => done.has(item.claim.id));
    },
    // A statement nothing but the database's state can fail is failed for every caller; any other
    // error may be one event's (a value refused), so each event is then completed alone.
    mayBeItemError: (error) => !isUnavailable(error),
    mapError: (error) => error,
    afterCommit: (items, completed) => {
      // The users these events concern are decided by the next pass, not awaited here (reads wait for
      // it); a failed pass leaves its marks for the next one, and the events are done either way.
      const marked = items.filter((item, k) => completed[k] && item.marks.length > 0);
      if (marked.length === 0) return;
      void decider.settle(Math.max(...marked.map((item) => item.nowMs))).catch(() => {});
    },
  });
}

/** `fits`: no key shared with the queued group, whose keys are collected as it grows (see `fits`). */
function groupFits(): (queued: readonly GroupedCompletion[], item: GroupedCompletion) => boolean {
  let group: readonly GroupedCompletion[] = [];
  let counted = 0;
  let keys = new Set<string>();
  return (queued, item) => {
    if (queued !== group || counted > queued.length) {
      group = queued;
      counted = 0;
      keys = new Set();
    }
    for (; counted < queued.length; counted++) {
      for (const key of (queued[counted] as GroupedCompletion).keys) keys.add(key);
    }
    return !item.keys.some((key) => keys.has(key));
  };
}

/**
 * The one statement completing a group: the done-marks (`marked`: the events whose lease held) and
 * their closed attempts, every event's fact rows and links and decider marks kept only for the
 * events in `marked`, and a row per event in `marked` (its `id`). Nothing is committed for a group
 * whose leases were all lost, so its commit may as well be synchronous: the rows carry the async switch.
 */
function groupedCompletionSql(t: Tables, decider: Decider, updates: UpdateStatements) {
  const grouped = updates.grouped('marked');
  const marking = decider.markRowsSql(
    `SELECT DISTINCT u.key, u.gate FROM unnest(@mark_keys::text[], @mark_gates::text[]) AS u(key, gate)
      WHERE u.gate IN (SELECT id FROM marked) ORDER BY u.key`,
  );
  const sql = positional<Record<string, unknown>>(`WITH done_in AS (
      SELECT * FROM unnest(@ids::text[], @tokens::text[], @nows::bigint[], @attempts::integer[])
        AS d(id, token, now_ms, attempt)
    ), marked AS (
      UPDATE ${t.events} e
      SET status = 'done', processed_at_ms = d.now_ms, lease_token = NULL, lease_expires_at_ms = NULL,
        last_error = NULL
      FROM done_in d WHERE e.id = d.id AND e.status = 'processing' AND e.lease_token = d.token
      RETURNING e.id
    ), finished AS (
      UPDATE ${t.attempts} a SET finished_at_ms = d.now_ms, outcome = 'done', error = NULL
      FROM done_in d
      WHERE a.event_id = d.id AND a.attempt = d.attempt AND a.finished_at_ms IS NULL
        AND d.id IN (SELECT id FROM marked)
    ), ${grouped.ctes.join(',\n    ')},
    marking AS (${marking})
    SELECT id, ${ASYNC_COMMIT} AS async_commit FROM marked`);
  return {
    text: sql.text,
    values(items: readonly GroupedCompletion[]): unknown[] {
      const marks = items.flatMap((item) => item.marks.map((mark) => [mark, item.claim.id] as const));
      return sql.values({
        ids: items.map((item) => item.claim.id),
        tokens: items.map((item) => item.claim.leaseToken),
        nows: items.map((item) => item.nowMs),
        attempts: items.map((item) => item.claim.attempt),
        ...grouped.params(
          items.map((item) => ({ gate: item.claim.id, updates: item.projection, nowMs: item.nowMs })),
        ),
        mark_keys: marks.map(([mark]) => mark),
        mark_gates: marks.map(([, eventId]) => eventId),
      });
    },
  };
}
