/**
 * The worker's side of the inbox: leasing due events, recording outcomes, and the admin operations
 * that put events back in the queue. Every method is synchronous and runs in one transaction;
 * `claim`, `completeBatch` and `fail` take the write lock up front (IMMEDIATE) so their read-then-write
 * can never race another process, and run under the worker's synchronous mode (see
 * `worker-synchronous.ts`). Each operation is built beside this file: `sqlite-claim.ts`,
 * `sqlite-completion.ts`, `sqlite-failure.ts`, `sqlite-queue-controls.ts`.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { RecordSqliteChanges } from '../decisions/sqlite-decisions.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { type WorkerSynchronous, withWorkerSynchronous } from '../sqlite/worker-synchronous.js';
import { createSqliteClaim } from './sqlite-claim.js';
import { type CompleteRequest, type CompleteResult, createSqliteCompleteBatch } from './sqlite-completion.js';
import { createSqliteFail } from './sqlite-failure.js';
import { createSqliteReplayOne, purgeBodies, replayDead } from './sqlite-queue-controls.js';
import type { ClaimedEvent, ClaimOptions, ReplayOutcome } from './work-queue.js';

export type { CompleteRequest, CompleteResult } from './sqlite-completion.js';

/** Queue operations bound to one connection. */
export interface SqliteWorkQueue {
  claim(options: ClaimOptions): ClaimedEvent[];
  /**
   * Completes every request in ONE transaction, each inside its own savepoint: a lost lease or a
   * failed update undoes only that event. Throws (nothing committed) when the transaction as a whole
   * failed.
   */
  completeBatch(requests: readonly CompleteRequest[]): CompleteResult[];
  fail(claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): boolean;
  replay(eventId: string, nowMs: number): ReplayOutcome;
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): number;
  purgeBodies(receivedBeforeMs: number): number;
}

/** Builds the queue operations over a migrated connection. */
export function createSqliteWorkQueue(
  db: SqliteDatabase,
  prepare: PrepareCached,
  synchronous: WorkerSynchronous,
  policy: KycPolicy,
  record: RecordSqliteChanges,
): SqliteWorkQueue {
  const claim = createSqliteClaim(db, prepare);
  const completeBatch = createSqliteCompleteBatch(db, prepare, policy, record);
  const fail = createSqliteFail(db, prepare);
  const replayOne = createSqliteReplayOne(db, prepare);

  return {
    claim: (options) => withWorkerSynchronous(db, synchronous, () => claim.immediate(options)),
    completeBatch: (requests) =>
      withWorkerSynchronous(db, synchronous, () => completeBatch.immediate(requests)),
    fail: (claimed, error, retryAtMs, nowMs) =>
      withWorkerSynchronous(db, synchronous, () => fail.immediate(claimed, error, retryAtMs, nowMs)),
    replay: (eventId, nowMs) => replayOne.immediate(eventId, nowMs),
    replayDead: (filter, nowMs) => replayDead(prepare, filter, nowMs),
    purgeBodies: (receivedBeforeMs) => purgeBodies(prepare, receivedBeforeMs),
  };
}
