/**
 * Durability for ingest without blocking the event loop on the disk. With `synchronous = FULL`, SQLite
 * fsyncs the write-ahead log inside every ingest commit, on the thread that runs JavaScript: each
 * group commit stopped every request for the length of a disk flush. Instead, ingest commits with
 * `synchronous = NORMAL` (in WAL mode: the frames are written to the OS, nothing is flushed) and each
 * acknowledgement then waits for an `fdatasync` of the WAL file that runs on libuv's thread pool, while
 * the event loop goes on reading, verifying and committing the next requests.
 *
 * Why this is as durable as FULL: in WAL mode FULL differs from NORMAL only by that one sync of the WAL
 * after each commit (SQLite uses fdatasync for it too); NORMAL still syncs the WAL before every
 * checkpoint and the database after it, and the WAL header when the log is reused. So once our sync of
 * the WAL returns, every transaction committed before it is on disk exactly as FULL would have left it.
 * Commits that arrive while a sync is running share the next one: at most one sync runs, one waits.
 * A failed sync rejects every acknowledgement waiting on it with `StoreUnavailableError` (503: Persona
 * retries; the retry finds the row and answers duplicate).
 */
import { close, fdatasync, openSync } from 'node:fs';
import { StoreUnavailableError } from '../../errors.js';

/** Flushes the WAL of one open connection. */
export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  /** Closes the file descriptor (after a running sync, if any). */
  close(): void;
}

type Fdatasync = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * Opens `walPath` (which must exist: the connection has committed at least once) for syncing.
 *
 * @example
 * const wal = openWalSync(`${db.name}-wal`);
 * insert.immediate(rows); // under PRAGMA synchronous = NORMAL
 * await wal.sync();       // now it is on disk
 */
export function openWalSync(walPath: string, flush: Fdatasync = fdatasync): WalSync {
  const fd = openSync(walPath, 'r');
  let running: Promise<void> | undefined;
  let waiting: Promise<void> | undefined;
  let closed = false;

  const start = (): Promise<void> => {
    waiting = undefined;
    const run = new Promise<void>((resolve, reject) => {
      if (closed) {
        reject(new StoreUnavailableError('The SQLite event store is closed.'));
        return;
      }
      flush(fd, (error) =>
        error
          ? reject(
              new StoreUnavailableError(
                `The SQLite event store could not flush its write-ahead log to disk (${error.code ?? 'error'}).`,
                { cause: error },
              ),
            )
          : resolve(),
      );
    }).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };

  return {
    sync() {
      if (!running) return start();
      // The running sync may have started before this caller's commit: it needs the next one.
      waiting ??= running.then(start, start);
      return waiting;
    },
    close() {
      if (closed) return;
      closed = true;
      const release = () => close(fd, () => {});
      if (running) running.then(release, release);
      else release();
    },
  };
}
