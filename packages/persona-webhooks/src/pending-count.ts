/**
 * Counts work in flight and lets a caller wait until none is left, without holding the work itself.
 *
 * A `Set` of in-flight promises gains and loses one entry per event. Such a `Set` rehashes into a new
 * table every few dozen changes, and V8 allocates the new table in the generation the old one was in
 * (`OrderedHashTable::Rehash`): once a table has been promoted, every table after it lives in the old
 * generation. Each table left behind still points at the promises it held, and a young-generation
 * collection cannot tell that the table is dead, so those promises — and the events, bodies and parsed
 * JSON their async functions hold — survive it and are promoted, to be freed only by a full collection.
 * In the 100,000-event burst (`npm run bench:burst`) this and the same pattern in the parsed handoff's
 * `Map` took the peak RSS from about 160 MB to about 240 MB. A number holds nothing.
 */
export class PendingCount {
  #count = 0;
  #idleWaiters: (() => void)[] = [];
  #settleWaiters: (() => void)[] = [];

  /** How much work is in flight. */
  get size(): number {
    return this.#count;
  }

  /** Counts `work` until it settles, fulfilled or rejected; the caller handles its outcome. */
  track(work: Promise<unknown>): void {
    this.#count++;
    const settled = () => {
      this.#count--;
      // `splice` allocates even when empty, and this runs once per settled piece of work.
      if (this.#settleWaiters.length > 0) for (const wake of this.#settleWaiters.splice(0)) wake();
      if (this.#count === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
    };
    work.then(settled, settled);
  }

  /** Resolves once nothing is in flight, work started meanwhile included. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Resolves once any work in flight settles (what `Promise.race` over it would wait for); at once when none is. */
  nextSettled(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push(resolve));
  }
}
