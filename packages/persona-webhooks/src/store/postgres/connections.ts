/**
 * Every use of a pooled connection goes through here, so each one is given back exactly once and in a
 * known state: released to the pool after clean work, destroyed (`release(error)`) when the connection
 * broke, when a ROLLBACK could not be confirmed, or when a deadline passed with a query still on it (a
 * half-open socket must never be handed to the next caller). While a connection is checked out pg
 * forwards none of its errors to the pool, so a listener is attached here for exactly that span:
 * without one a connection dropping mid-transaction would crash the process.
 */
import { withDeadline } from './deadline.js';
import type { PostgresPool, PostgresPoolClient, PostgresQueryable } from './driver.js';
import { isConnectionLoss } from './store-error.js';

/** Options of one checkout. */
export interface UseOptions {
  /**
   * Rejects with `onTimeout()` after this many ms (waiting for a connection included) and destroys the
   * connection the work is stuck on. The late outcome of the work is swallowed.
   */
  deadlineMs?: number;
  onTimeout?: () => unknown;
}

/** Checkouts from one pool. */
export interface Connections {
  /** Runs `work` on one checked-out connection (autocommit statements). */
  use<T>(work: (client: PostgresQueryable) => Promise<T>, options?: UseOptions): Promise<T>;
  /**
   * Runs `work` between `begin` (default `BEGIN`; may carry `SET LOCAL`s) and COMMIT on one connection;
   * any rejection rolls back and is rethrown.
   */
  transaction<T>(work: (tx: PostgresQueryable) => Promise<T>, begin?: string): Promise<T>;
  /** Holds a connection until `release` is called on the returned lease (LISTEN). */
  hold(onError: (error: Error) => void): Promise<HeldConnection>;
  /**
   * Destroys every connection still checked out (calls that outlived `close()`'s grace period), so the
   * pool's owner can end it without waiting on a query that may never answer.
   */
  abandonAll(): void;
}

/** A connection held beyond one call. */
export interface HeldConnection {
  readonly client: PostgresPoolClient;
  /** Gives it back; with an error (or `true`), destroys it. Safe to call more than once. */
  release(destroy?: Error | boolean): void;
}

/** One checkout: remembers whether the connection broke, and releases at most once. */
class Lease implements HeldConnection {
  #released = false;
  #broken: Error | undefined;

  constructor(
    readonly client: PostgresPoolClient,
    private readonly onError: (error: Error) => void,
    private readonly leases: Set<Lease>,
  ) {
    client.on('error', this.#onError);
    leases.add(this);
  }

  readonly #onError = (error: Error): void => {
    this.#broken ??= error;
    this.onError(error);
  };

  markBroken(error: Error): void {
    this.#broken ??= error;
  }

  release(destroy?: Error | boolean): void {
    if (this.#released) return;
    this.#released = true;
    this.leases.delete(this);
    this.client.removeListener('error', this.#onError);
    // Once released, pg's pool listens for this connection's errors again.
    this.client.release(this.#broken ?? destroy ?? undefined);
  }
}

const ABANDONED = new Error('The PostgreSQL store closed while this connection was still in use.');

/** Wraps a pool. */
export function createConnections(pool: PostgresPool): Connections {
  const leases = new Set<Lease>();
  const ignore = (_error: Error): void => {};

  /** A lease, or undefined once `abandoned()` says the caller gave up while it was being acquired. */
  const acquire = async (abandoned: () => boolean, onError = ignore): Promise<Lease | undefined> => {
    const client = await pool.connect();
    const lease = new Lease(client, onError, leases);
    if (abandoned()) {
      lease.release();
      return undefined;
    }
    return lease;
  };

  const use = async <T>(work: (client: PostgresQueryable) => Promise<T>, options: UseOptions = {}) => {
    const { deadlineMs } = options;
    if (deadlineMs === undefined) {
      const lease = (await acquire(() => false))!;
      return runOn(lease, () => work(lease.client));
    }
    let timedOut = false;
    let current: Lease | undefined;
    const running = (async () => {
      const lease = await acquire(() => timedOut);
      if (!lease) throw ABANDONED;
      current = lease;
      return runOn(lease, () => work(lease.client));
    })();
    return withDeadline(running, deadlineMs, () => {
      timedOut = true;
      // The query still on it has an unknown fate and the socket may be half-open: never reuse it.
      current?.release(new Error(`No answer within ${deadlineMs} ms`));
      return options.onTimeout ? options.onTimeout() : new Error(`No answer within ${deadlineMs} ms`);
    });
  };

  return {
    use,

    async transaction(work, begin = 'BEGIN') {
      const lease = (await acquire(() => false))!;
      return runOn(lease, () => inTransaction(lease, work, begin));
    },

    async hold(onError) {
      return (await acquire(() => false, onError))!;
    },

    abandonAll() {
      for (const lease of [...leases]) lease.release(ABANDONED);
    },
  };
}

/** Releases after `work`, destroying the connection if the failure was the connection's. */
async function runOn<T>(lease: Lease, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    lease.release();
    return result;
  } catch (error) {
    lease.release(isConnectionLoss(error) ? toError(error) : undefined);
    throw error;
  }
}

/** Runs `work` between `begin` and COMMIT on the lease's connection; a rejection rolls back and is rethrown. */
async function inTransaction<T>(
  lease: Lease,
  work: (tx: PostgresQueryable) => Promise<T>,
  begin: string,
): Promise<T> {
  await lease.client.query(begin);
  let result: T;
  try {
    result = await work(lease.client);
  } catch (error) {
    try {
      await lease.client.query('ROLLBACK');
    } catch (rollbackError) {
      // Still inside a transaction, or gone: either way no one else may get this connection.
      lease.markBroken(toError(rollbackError));
    }
    throw error;
  }
  await lease.client.query('COMMIT');
  return result;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error('PostgreSQL connection failed');
}
