/**
 * Deduplication without a store: remembers the last `maxEntries` event ids that were handled, and lets a
 * concurrent second delivery of the same id wait for the first one's outcome instead of running the
 * handlers again. A failed run is forgotten, so Persona's retry runs the handlers afresh.
 *
 * This is per-process memory: a restart forgets everything. The durable store replaces it.
 */
export class InFlightDedupe {
  /** Insertion-ordered, so the oldest entry is evicted first. */
  private readonly entries = new Map<string, Promise<void>>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('dedupe maxEntries must be a positive integer');
    }
  }

  /**
   * Runs `work` for the first delivery of `id`; later deliveries get `duplicate: true` and the first
   * delivery's outcome (a rejection when it failed).
   */
  async run(id: string, work: () => Promise<void>): Promise<{ duplicate: boolean }> {
    const existing = this.entries.get(id);
    if (existing) {
      await existing;
      return { duplicate: true };
    }
    const running = work();
    this.remember(id, running);
    running.catch(() => {
      if (this.entries.get(id) === running) this.entries.delete(id);
    });
    await running;
    return { duplicate: false };
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(id: string, outcome: Promise<void>): void {
    this.entries.set(id, outcome);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
