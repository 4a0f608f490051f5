/**
 * Notices the database file, or its write-ahead log, being deleted or replaced under an open
 * connection. SQLite keeps writing to the unlinked file without an error, so every acknowledgement
 * after the deletion would be lost at the next start. Compared by device and inode, on every call.
 */
import { type Stats, statSync } from 'node:fs';
import { StoreUnavailableError } from '../../errors.js';

/** Checks that the path still names the file the connection has open. */
export interface FileIdentity {
  /** Throws `StoreUnavailableError` when the file or its WAL was deleted or replaced. */
  check(): void;
}

const NOTHING_TO_WATCH: FileIdentity = { check() {} };

/** Watches `path` (from the connection's `name`); in-memory and temporary databases have no file. */
export function watchFileIdentity(path: string | undefined): FileIdentity {
  if (path === undefined || path === '' || path === ':memory:' || path.startsWith('file:')) {
    return NOTHING_TO_WATCH;
  }
  const main = identityOf(path);
  if (main === null) return NOTHING_TO_WATCH;
  // The WAL appears with the first write; from then on it stays until the last connection closes.
  let wal = identityOf(`${path}-wal`);
  return {
    check() {
      if (identityOf(path) !== main) throw replaced(path);
      const now = identityOf(`${path}-wal`);
      if (wal === null) wal = now;
      else if (now !== wal) throw replaced(`${path}-wal`);
    },
  };
}

function identityOf(path: string): string | null {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return null;
  }
  return `${stats.dev}:${stats.ino}`;
}

function replaced(path: string): StoreUnavailableError {
  return new StoreUnavailableError(
    `The SQLite file ${path} was deleted or replaced while the service had it open, so writes are refused: ` +
      'anything written now would be lost at the next start. Put the file back, or restart the service.',
  );
}
