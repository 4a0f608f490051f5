/**
 * Wake-ups across instances: after a batch of new events commits, this instance fires its local
 * listeners and sends `NOTIFY <schema>_events_available`; every instance `LISTEN`ing on that channel
 * fires its own. LISTEN starts with the first subscriber, so ingest-only processes hold no extra
 * connection. The driver re-issues LISTEN after a reconnect; notifications sent while disconnected are
 * lost, so listeners also fire whenever LISTEN is (re)established and the worker's poll is the backstop.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './connect.js';

/** How long to wait before retrying a LISTEN that failed to start (database down at start-up). */
const LISTEN_RETRY_MS = 1_000;

/** Local listener registry plus LISTEN/NOTIFY plumbing for one store. */
export class Wakeups {
  readonly #listeners = new Set<() => void>();
  /** Sent as the NOTIFY payload so an instance ignores the echo of its own notifications. */
  readonly #instanceId = randomUUID();
  #listen: Promise<{ unlisten(): Promise<void> }> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    private readonly sql: Db,
    private readonly channel: string,
  ) {}

  /** Adds a listener (starting LISTEN on first use); returns its unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#startListening();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * New events are due: wake local listeners now and other instances through NOTIFY. The returned
   * promise never rejects (best effort: the events are committed, and other instances' polls find
   * them anyway); the store waits for it before ending the pool.
   */
  async announce(): Promise<void> {
    this.#fire();
    if (this.#closed) return;
    await this.sql.notify(this.channel, this.#instanceId).catch(() => {});
  }

  /** Stops listening; later announcements only reach local listeners (none, once the store closed). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const listen = this.#listen;
    this.#listen = undefined;
    if (listen) await listen.then((meta) => meta.unlisten()).catch(() => {});
  }

  #startListening(): void {
    if (this.#listen || this.#closed) return;
    const listen = this.sql.listen(
      this.channel,
      (payload) => {
        if (payload !== this.#instanceId) this.#fire();
      },
      () => this.#fire(),
    );
    this.#listen = listen;
    listen.catch(() => {
      if (this.#listen !== listen || this.#closed) return;
      this.#listen = undefined;
      this.#retryTimer = setTimeout(() => this.#startListening(), LISTEN_RETRY_MS);
      this.#retryTimer.unref();
    });
  }

  #fire(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch {
        // A throwing listener must not stop the others, nor fail the ingest that woke it.
      }
    }
  }
}
