/**
 * Prepares each SQL text once per connection. Preparation is lazy because statements can only be
 * prepared once `migrate()` has created the tables they name.
 */
import type { SqliteDatabase, SqliteStatement } from './driver.js';

/** Returns the prepared statement for `sql`, preparing it on first use. */
export type PrepareCached = (sql: string) => SqliteStatement;

/** A statement cache bound to one connection. */
export function createStatementCache(db: SqliteDatabase): PrepareCached {
  const cache = new Map<string, SqliteStatement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
