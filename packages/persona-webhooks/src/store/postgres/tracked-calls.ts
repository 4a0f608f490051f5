/**
 * The PostgreSQL store's calls in flight: refused once the store is closed, failures that mean "the
 * database cannot answer" turned into `StoreUnavailableError`, and each tracked so `close()` waits for
 * them (within a grace period) before the pool goes back to its owner.
 */
import { closedStoreError, toStoreError } from './store-error.js';

/**
 * How every call runs: refused once closed, unavailability turned into `StoreUnavailableError`, and
 * tracked so `close()` can wait for the calls in flight before giving the pool back to its owner.
 */
export class Calls {
  closed = false;
  readonly running = new Set<Promise<unknown>>();

  track<T>(call: Promise<T>): Promise<T> {
    this.running.add(call);
    const forget = () => this.running.delete(call);
    call.then(forget, forget);
    return call;
  }

  /** Runs `work` unless closed; unavailability becomes StoreUnavailableError. */
  run<T>(work: () => Promise<T>, operation: 'read' | 'write' = 'write'): Promise<T> {
    if (this.closed) return Promise.reject(closedStoreError());
    return this.track(
      work().catch((error: unknown) => {
        throw toStoreError(error, operation);
      }),
    );
  }

  read<T>(work: () => Promise<T>): Promise<T> {
    return this.run(work, 'read');
  }
}

/** Resolves when every call in `running` (including ones added meanwhile) settled, or after `ms`. */
export async function settleWithin(running: ReadonlySet<Promise<unknown>>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  try {
    while (running.size > 0) {
      if (await Promise.race([Promise.allSettled([...running]).then(() => false), expired])) return;
    }
  } finally {
    clearTimeout(timer);
  }
}
