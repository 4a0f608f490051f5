/**
 * Grouped completions on PostgreSQL: the completions that arrive while the event loop is busy are
 * committed in ONE statement, so the group costs one round trip (each query is a socket write, and
 * those writes were the worker's largest CPU cost). Each event's part of the statement is what its own
 * one-event statement was, with its own CTE names and parameters: its done-mark proves its lease, and
 * its upserts and decider marks are gated on that done-mark alone, so a lost lease costs that event
 * only. Committed without waiting for the WAL flush, like every worker write.
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
import { ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import { RowValues } from '../postgres/row-values.js';
import { isUnavailable } from '../postgres/store-error.js';
import type { Tables } from '../postgres/tables.js';
import { retryOnConflict } from './postgres-retry.js';
import type { ClaimedEvent } from './work-queue.js';

/** Events per statement: enough to absorb a busy tick, small enough to keep the statement quick. */
const MAX_GROUP = 64;
/** PostgreSQL's limit on one statement's bind parameters (the protocol counts them in an int16). */
const MAX_PARAMS = 65_535;
/** More than any one foldable update takes (an inquiry upsert, the largest, takes about ten). */
const PARAMS_PER_UPDATE = 32;

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

/**
 * The done-mark of one event: marks it done and closes its attempt, from parameter `$first` on (now, id,
 * lease token, attempt). `marked<suffix>` is empty when the lease was lost.
 */
export function markDoneCtes(t: Tables, suffix: string, first: number): string {
  const [now, id, token, attempt] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  return `
    marked${suffix} AS (
      UPDATE ${t.events}
      SET status = 'done', processed_at_ms = ${now}::bigint, lease_token = NULL, lease_expires_at_ms = NULL,
        last_error = NULL
      WHERE id = ${id} AND status = 'processing' AND lease_token = ${token}
      RETURNING id
    ), finished${suffix} AS (
      UPDATE ${t.attempts} SET finished_at_ms = ${now}::bigint, outcome = 'done', error = NULL
      WHERE event_id IN (SELECT id FROM marked${suffix}) AND attempt = ${attempt} AND finished_at_ms IS NULL
    )`;
}

/** The queue of grouped completions; each caller's promise says whether its lease held. */
export function createGroupedCompletions(
  connections: Connections,
  t: Tables,
  decider: Decider,
  updates: UpdateStatements,
): GroupCommit<GroupedCompletion, boolean> {
  return new GroupCommit<GroupedCompletion, boolean>({
    maxBatchSize: MAX_GROUP,
    fits: groupFits(),
    commit: async (items) => {
      const { text, values } = groupStatement(t, decider, updates, items);
      const result = await retryOnConflict(() => connections.use((client) => client.query(text, values)));
      const row = new RowValues(result.rows[0]);
      return items.map((_item, k) => row.int(`m${k}`) > 0);
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

/**
 * `fits`: no shared key, and the parameters stay under PostgreSQL's limit. The keys of the queued
 * group are collected as it grows (GroupCommit passes the same array until it flushes).
 */
function groupFits(): (queued: readonly GroupedCompletion[], item: GroupedCompletion) => boolean {
  let group: readonly GroupedCompletion[] = [];
  let counted = 0;
  let keys = new Set<string>();
  let params = 0;
  const bound = (item: GroupedCompletion) => 5 + item.projection.length * PARAMS_PER_UPDATE;
  return (queued, item) => {
    if (queued !== group || counted > queued.length) {
      group = queued;
      counted = 0;
      keys = new Set();
      params = 0;
    }
    for (; counted < queued.length; counted++) {
      const member = queued[counted] as GroupedCompletion;
      for (const key of member.keys) keys.add(key);
      params += bound(member);
    }
    return params + bound(item) <= MAX_PARAMS && !item.keys.some((key) => keys.has(key));
  };
}

/**
 * One statement completing every event of the group: each event's done-mark, its upserts and marks
 * gated on that done-mark, and a final row saying, per event (`m<k>`), whether its lease held.
 */
function groupStatement(
  t: Tables,
  decider: Decider,
  updates: UpdateStatements,
  items: readonly GroupedCompletion[],
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const ctes: string[] = [];
  const outcomes: string[] = [];
  items.forEach((item, k) => {
    const first = values.push(item.nowMs, item.claim.id, item.claim.leaseToken, item.claim.attempt) - 3;
    ctes.push(markDoneCtes(t, `_${k}`, first));
    const gate = `marked_${k}`;
    const folded = updates.asCtes(item.projection, item.nowMs, gate, values.length + 1, `e${k}_`);
    if (folded === null) throw new Error('a grouped completion has updates that cannot share a statement');
    values.push(...folded.values);
    ctes.push(...folded.ctes);
    if (item.marks.length > 0) {
      values.push(item.marks);
      const marking = decider.markSql(`$${values.length}`, `$${first + 1}`, `EXISTS (SELECT 1 FROM ${gate})`);
      ctes.push(`marking_${k} AS (${marking})`);
    }
    outcomes.push(`(SELECT count(*) FROM ${gate}) AS m${k}`);
  });
  // Not expected with `groupFits`' bound; thrown as an item error, so each event is then sent alone.
  if (values.length > MAX_PARAMS) throw new Error(`a grouped completion has ${values.length} parameters`);
  const text = `WITH ${ctes.join(',\n')}
    SELECT ${outcomes.join(', ')}, ${ASYNC_COMMIT} AS async_commit`;
  return { text, values };
}
