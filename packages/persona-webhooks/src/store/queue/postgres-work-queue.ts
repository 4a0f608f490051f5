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
 *
 * Each operation is built beside this file: `postgres-claim.ts`, `postgres-completion.ts` (with
 * `postgres-grouped-completion.ts`: completions arriving together share one statement),
 * `postgres-failure.ts`, `postgres-queue-controls.ts`.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import type { Decider } from '../decisions/postgres-decider.js';
import type { Connections } from '../postgres/connections.js';
import type { Tables } from '../postgres/tables.js';
import { createPostgresClaim } from './postgres-claim.js';
import { createPostgresComplete } from './postgres-completion.js';
import { createPostgresFail } from './postgres-failure.js';
import { createPostgresQueueControls } from './postgres-queue-controls.js';
import type { ClaimedEvent, ClaimOptions, ReplayOutcome } from './work-queue.js';

export { dueEventsSql } from './postgres-claim.js';

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
  const { replay, replayDead, purgeBodies } = createPostgresQueueControls(connections, t);
  return {
    claim: createPostgresClaim(connections, t),
    complete: createPostgresComplete(connections, t, decider),
    fail: createPostgresFail(connections, t),
    replay,
    replayDead,
    purgeBodies,
  };
}
