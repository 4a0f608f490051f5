/**
 * Prepares each SQL text once per connection. Preparation is lazy because statements can only be
 * prepared once `migrate()` has created the tables they name.
 */
import type Database from 'better-sqlite3';

/** Returns the prepared statement for `sql`, preparing it on first use. */
export type PrepareCached = (sql: string) => Database.Statement;

/** A statement cache bound to one connection. */
export function createStatementCache(db: Database.Database): PrepareCached {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
