/**
 * The work queue over the inbox: the worker claims due events under a lease, then completes each (its
 * facts and the decision commit in the same transaction) or fails it with a retry time. Each dialect's
 * claim and completion SQL is beside this file.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';

/** What `replay` did. */
export type ReplayOutcome = 'replayed' | 'not_found' | 'already_queued';

export type EventStatus = 'pending' | 'processing' | 'done' | 'dead';

/** An event the worker holds under a lease. */
export interface ClaimedEvent {
  id: string;
  name: string;
  createdAtMs: number;
  /** Null when the body was purged by retention or scrubbed by a redaction. */
  body: Uint8Array | null;
  /** Attempts so far, this one included (1 on the first claim). */
  attempt: number;
  /** Proves the lease is still ours when completing or failing. */
  leaseToken: string;
}

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  nowMs: number;
}
/** What the worker needs from a store: claim due events, complete or fail each, hear when more are due. */
export interface WorkQueue {
  /** Leases up to `limit` due events, oldest `created-at` first; expired leases are due again. */
  claim(options: ClaimOptions): Promise<ClaimedEvent[]>;
  /**
   * Applies the projection updates and marks the event done, in one transaction. Returns false (and
   * changes nothing) if the lease was lost to another worker.
   */
  complete(claim: ClaimedEvent, updates: ProjectionUpdate[], nowMs: number): Promise<boolean>;
  /** Records a failed attempt: back to pending at `retryAtMs`, or dead when `retryAtMs` is null. */
  fail(claim: ClaimedEvent, error: string, retryAtMs: number | null, nowMs: number): Promise<boolean>;
  /**
   * Calls `listener` whenever new events may be due (an ingest in this process, or a notification from
   * another instance), so workers wake without waiting for their next poll. Returns an unsubscribe.
   */
  onEventsAvailable(listener: () => void): () => void;
}

/** What an operator does to the queue by hand: replay done or dead events, purge old bodies. */
export interface QueueControls {
  /**
   * Puts one done or dead event back in the queue, deciding atomically: `replayed`, `not_found`, or
   * `already_queued` when it is pending or processing (it will run without a replay).
   */
  replay(eventId: string, nowMs: number): Promise<ReplayOutcome>;
  /** Puts every dead event (optionally since a time, optionally of one name) back; returns how many. */
  replayDead(filter: { sinceMs?: number; name?: string }, nowMs: number): Promise<number>;
  /** Nulls bodies received before the cutoff; ids stay for deduplication. Returns how many. */
  purgeBodies(receivedBeforeMs: number): Promise<number>;
}
