/** Prepared statements of one service-state connection, prepared once on first use and reused. */
import type Database from 'better-sqlite3';

/** Returns the prepared statement for `sql`, preparing it the first time. */
export type PrepareCached = (sql: string) => Database.Statement;

/** A statement cache bound to `db`; it dies with the connection, so a reopened one starts afresh. */
export function createStatementCache(db: Database.Database): PrepareCached {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}
