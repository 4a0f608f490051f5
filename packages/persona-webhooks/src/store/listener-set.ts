/**
 * The callbacks a store calls when work may be waiting (`onEventsAvailable`, `onDeliveriesAvailable`).
 * A listener's failure is its own: the write it follows has already committed, so it is swallowed
 * rather than turned into a failed write.
 */
export class ListenerSet {
  readonly #listeners = new Set<() => void>();

  /** Adds `listener`; returns the function that removes it. */
  add(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Calls every listener; one that throws does not stop the others. */
  notify(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch {
        // See the file comment.
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
