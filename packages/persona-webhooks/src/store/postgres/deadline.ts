/**
 * A client-side time limit. `statement_timeout` cannot help when the connection itself hangs (a
 * half-open TCP socket after a network partition), so ingest also races its own timer.
 */

/**
 * Settles like `work`, or rejects with `onTimeout()` after `ms`. The late outcome of `work` is
 * swallowed (never an unhandled rejection); a write that commits after the deadline dedupes when
 * Persona retries it.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
