/**
 * The few methods of a SQLite driver the store calls, described structurally (kysely's way) so the
 * library depends on no driver and needs no driver types to compile. `better-sqlite3` (v11, v12)
 * satisfies it as is: pass `new Database(path)`, or a function returning one so the store can open
 * the file lazily and open it again after a failed open.
 */

/** A prepared statement: positional (`?`) or named (`@name` with one object) parameters. */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/** The parameters of `F`, spelled as better-sqlite3 spells them so its types match ours. */
type Arguments<F> = F extends (...args: infer A) => unknown ? A : never;

/** A function wrapped to run inside a transaction; `immediate` takes the write lock at BEGIN. */
export interface SqliteTransaction<F extends (...args: never[]) => unknown> {
  (...args: Arguments<F>): ReturnType<F>;
  immediate(...args: Arguments<F>): ReturnType<F>;
}

/** One open connection (better-sqlite3's `Database`). */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  /** Nested calls of a wrapped function run as SAVEPOINTs, as better-sqlite3 does. */
  transaction<F extends (...args: never[]) => unknown>(fn: F): SqliteTransaction<F>;
  readonly inTransaction: boolean;
  /** The file it was opened on: lets the store notice the file being deleted or replaced. */
  readonly name?: string;
  /** True when SQLite fell back to read-only (the file was not writable at open). */
  readonly readonly?: boolean;
  close(): unknown;
}

/** The database the store uses: an open connection, or a function that opens one when first needed. */
export type SqliteDatabaseSource = SqliteDatabase | (() => SqliteDatabase);
