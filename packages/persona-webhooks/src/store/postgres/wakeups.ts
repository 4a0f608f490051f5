/**
 * Wake-ups across instances: after a batch of new events commits, this instance fires its local
 * listeners and sends `NOTIFY <schema>_events_available`; every instance `LISTEN`ing on that channel
 * fires its own. LISTEN starts with the first subscriber, on one connection held from the pool for as
 * long as the store is open, so ingest-only processes hold none. When that connection drops (pg emits
 * `error` on it), it is destroyed and LISTEN is re-established on a new one, retrying with backoff while
 * the database is away. Notifications sent meanwhile are lost, so listeners also fire whenever LISTEN is
 * (re)established, and the worker's poll is the backstop.
 */
import { randomUUID } from 'node:crypto';
import type { Connections, HeldConnection } from './connections.js';
import type { PostgresNotification } from './driver.js';
import { quoteIdentifier } from './tables.js';

/** First retry delay after LISTEN failed or its connection dropped; doubles per failure up to the max. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** How long announce() waits for its NOTIFY: best effort, it must not hold up the caller. */
const NOTIFY_DEADLINE_MS = 2_000;

/** Local listener registry plus LISTEN/NOTIFY plumbing for one store. */
export class Wakeups {
  readonly #listeners = new Set<() => void>();
  /** Sent as the NOTIFY payload so an instance ignores the echo of its own notifications. */
  readonly #instanceId = randomUUID();
  #held: HeldConnection | undefined;
  #starting = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #closed = false;

  constructor(
    private readonly connections: Connections,
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
   * them anyway); the store waits for it before closing.
   */
  async announce(): Promise<void> {
    this.#fire();
    if (this.#closed) return;
    await this.connections
      .use((client) => client.query('SELECT pg_notify($1, $2)', [this.channel, this.#instanceId]), {
        deadlineMs: NOTIFY_DEADLINE_MS,
      })
      .catch(() => {});
  }

  /**
   * Stops listening. The LISTEN connection is destroyed rather than UNLISTENed and returned: no round
   * trip that could hang a shutdown, and the pool opens a fresh one if it needs it. A LISTEN still
   * starting destroys its connection when it sees the store closed.
   */
  close(): void {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const held = this.#held;
    this.#held = undefined;
    if (!held) return;
    held.client.removeListener('notification', this.#onNotification);
    held.release(true);
  }

  readonly #onNotification = (message: PostgresNotification): void => {
    if (message.channel === this.channel && message.payload !== this.#instanceId) this.#fire();
  };

  #startListening(): void {
    if (this.#held || this.#starting || this.#retryTimer || this.#closed) return;
    this.#starting = true;
    void this.#listen().finally(() => {
      this.#starting = false;
    });
  }

  async #listen(): Promise<void> {
    let held: HeldConnection | undefined;
    try {
      held = await this.connections.hold((error) => this.#dropped(held, error));
      held.client.on('notification', this.#onNotification);
      await held.client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
    } catch (error) {
      held?.client.removeListener('notification', this.#onNotification);
      held?.release(error instanceof Error ? error : true);
      this.#retryLater();
      return;
    }
    if (this.#closed) {
      held.client.removeListener('notification', this.#onNotification);
      held.release(true);
      return;
    }
    this.#held = held;
    this.#failures = 0;
    // Whatever was notified while we were not listening is lost: let listeners look for themselves.
    this.#fire();
  }

  /** The held connection broke: destroy it and listen again on a new one. */
  #dropped(held: HeldConnection | undefined, error: Error): void {
    if (!held) return;
    held.client.removeListener('notification', this.#onNotification);
    held.release(error);
    if (this.#held !== held) return; // still starting: #listen's catch retries
    this.#held = undefined;
    this.#retryLater();
  }

  #retryLater(): void {
    if (this.#closed || this.#retryTimer) return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.#failures);
    this.#failures++;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#startListening();
    }, delay);
    // A pending retry must never keep the process alive on its own.
    this.#retryTimer.unref();
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
