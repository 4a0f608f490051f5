/**
 * Named (prepared) statements for the store's fixed SQL texts. Sent unnamed, every statement is parsed,
 * analysed and planned by PostgreSQL on every run: under the ingest load of `npm run bench`, parsing
 * and planning took about a fifth of PostgreSQL's CPU (`perf record -a`), and PostgreSQL used more of
 * the machine than our own process. Sent under a name, a statement is parsed once per connection, and
 * PostgreSQL may keep its plan (`plan_cache_mode`).
 *
 * Only texts registered here are named: texts that never change (no batch-sized VALUES lists, no
 * optional filters), so the statements each connection keeps stay few. The name is a hash of the text,
 * so one name never stands for two texts (two stores on two schemas of one pool). A text sent without
 * values is left alone: pg sends those with the simple protocol, which several statements in one text
 * (migrations) need.
 *
 * Turn it off (`preparedStatements: false`) behind a pooler that does not keep a client on one server
 * connection, such as PgBouncer in transaction mode before 1.21.
 */
import { createHash } from 'node:crypto';
import type { PostgresQueryable, PostgresQueryResult } from './driver.js';

/** The registered texts, and a way to send them named. */
export interface StatementNames {
  /** Registers `text` as a fixed statement and returns it unchanged. */
  fixed(text: string): string;
  /** `client`, but sending registered texts as named statements. */
  naming(client: PostgresQueryable): PostgresQueryable;
}

/** `enabled: false` registers nothing and names nothing. */
export function createStatementNames(enabled: boolean): StatementNames {
  // Grows by registration only (a fixed set of texts per store), never per query.
  const names = new Map<string, string>();
  return {
    fixed(text) {
      if (enabled && !names.has(text)) {
        names.set(text, `persona_webhooks_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`);
      }
      return text;
    },
    naming(client) {
      if (names.size === 0) return client;
      const query = (text: string, values?: unknown[]): Promise<PostgresQueryResult> => {
        const name = names.get(text);
        return name === undefined || values === undefined
          ? client.query(text, values)
          : client.query({ name, text, values });
      };
      return { query: query as PostgresQueryable['query'] };
    },
  };
}
