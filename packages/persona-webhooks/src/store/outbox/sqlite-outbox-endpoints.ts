/** The application endpoints on SQLite: add or change, list, remove with their messages. */

import type { OutboxStore } from '../../outbox/outbox-types.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import { type EndpointRow, endpointParams, PLAIN_OUTBOX_SQL as SQL, toEndpoint } from './outbox-sql.js';

export function createSqliteOutboxEndpoints(
  db: SqliteDatabase,
  prepare: PrepareCached,
): Pick<Synchronous<OutboxStore>, 'putEndpoint' | 'listEndpoints' | 'removeEndpoint'> {
  return {
    putEndpoint(endpoint) {
      prepare(SQL.putEndpoint).run(endpointParams(endpoint));
    },
    listEndpoints: () => (prepare(SQL.listEndpoints).all() as EndpointRow[]).map(toEndpoint),
    removeEndpoint: db.transaction((id: string) => {
      // Attempts go with their messages (ON DELETE CASCADE).
      const messages = Number(prepare(SQL.removeMessages).run({ id }).changes);
      const removed = prepare(SQL.removeEndpoint).run({ id }).changes > 0;
      return { removed, messages };
    }),
  };
}
