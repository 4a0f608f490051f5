/**
 * The SQLite store's one connection: opened on first use and opened again on the next call after a
 * failure that makes it suspect, so a store whose disk was missing recovers by itself. Writes remember
 * whether the store could take them: while one is failing (disk full, read-only, I/O error, file
 * replaced), `ping` (readiness) proves the disk with a real write of that size instead of answering
 * from a read.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { SqliteDecisionHook } from '../outbox/sqlite-outbox.js';
import type { SqliteDatabaseSource } from './driver.js';
import { openSqliteConnection, type SqliteConnection } from './sqlite-connection.js';
import { isDatabaseUnavailable, needsReopen } from './store-error.js';
import type { WorkerSynchronous } from './worker-synchronous.js';

/** What opening the connection needs. */
export interface SqliteAccessSettings {
  database: SqliteDatabaseSource;
  busyTimeoutMs: number;
  workerSynchronous: WorkerSynchronous;
  policy: KycPolicy;
  onDecisionChanged: SqliteDecisionHook | undefined;
}

/** The smallest write `ping` probes with while writes are failing: about eight sample-sized events. */
const MIN_PROBE_BYTES = 64 * 1024;

export class SqliteAccess {
  readonly #settings: SqliteAccessSettings;
  #connection: SqliteConnection | undefined;
  /** Set when a write failed because the store could not take it, with the size it tried. */
  #writeFault: { bytes: number } | null = null;

  constructor(settings: SqliteAccessSettings) {
    this.#settings = settings;
  }

  /** The open connection, if any (a decision change records its outbox messages on it). */
  get connection(): SqliteConnection | undefined {
    return this.#connection;
  }

  connect(): SqliteConnection {
    const s = this.#settings;
    this.#connection ??= openSqliteConnection(
      s.database,
      s.busyTimeoutMs,
      s.workerSynchronous,
      s.policy,
      s.onDecisionChanged,
    );
    this.#connection.identity.check();
    return this.#connection;
  }

  /** Runs a write of about `bytes`; remembers whether the store could take it. */
  write<T>(bytes: number, work: (c: SqliteConnection) => T): T {
    try {
      const result = work(this.connect());
      this.#writeFault = null;
      return result;
    } catch (error) {
      this.writeFailed(bytes, error);
      throw error;
    }
  }

  /** Records a failed write (also one whose sync failed after the commit). */
  writeFailed(bytes: number, error: unknown): void {
    if (isDatabaseUnavailable(error)) this.#writeFault = { bytes: Math.max(bytes, MIN_PROBE_BYTES) };
    this.#dropSuspectConnection(error);
  }

  /** Runs a read; a suspect connection is dropped all the same. */
  read<T>(work: (c: SqliteConnection) => T): T {
    try {
      return work(this.connect());
    } catch (error) {
      this.#dropSuspectConnection(error);
      throw error;
    }
  }

  /** A trivial read, or while writes are failing a real write of the size that failed. */
  ping(): void {
    const fault = this.#writeFault;
    if (fault) this.write(fault.bytes, (c) => c.probeWrite(fault.bytes, Date.now()));
    else this.read((c) => c.prepare('SELECT 1').get());
  }

  close(): void {
    this.#connection?.close();
    this.#connection = undefined;
  }

  /** After a failure that makes the connection itself suspect, drop it: the next call opens the file again. */
  #dropSuspectConnection(error: unknown): void {
    if (!this.#connection || typeof this.#settings.database !== 'function' || !needsReopen(error)) return;
    try {
      this.#connection.close();
    } catch {
      // Already broken; what matters is that the next call opens a fresh connection.
    }
    this.#connection = undefined;
  }
}
