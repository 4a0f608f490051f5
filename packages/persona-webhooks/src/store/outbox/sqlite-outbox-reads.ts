/** The admin reads of the outbox on SQLite: a page of deliveries, one with its attempts, counts. */

import type { OutboxStore } from '../../outbox/outbox-types.js';
import { listLimit } from '../read-model/row-views.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import {
  type AttemptRow,
  deliveryPage,
  deliveryWhere,
  type MessageRow,
  PLAIN_OUTBOX_SQL as SQL,
  type StatsRow,
  toDeliveryDetail,
  toDeliveryStats,
} from './outbox-sql.js';

export function createSqliteOutboxReads(
  prepare: PrepareCached,
): Pick<Synchronous<OutboxStore>, 'listDeliveries' | 'getDelivery' | 'deliveryStats'> {
  return {
    listDeliveries(query) {
      const limit = listLimit(query);
      const params: Record<string, string | number> = { limit: limit + 1 };
      const where = deliveryWhere(query, (name, _type, value) => {
        params[name] = value;
        return `@${name}`;
      });
      // One cached statement per combination of filters.
      const rows = prepare(`${SQL.listPrefix}${where} ORDER BY m.seq DESC LIMIT @limit`).all(
        params,
      ) as MessageRow[];
      return deliveryPage(rows, limit);
    },
    getDelivery(id) {
      const row = prepare(SQL.getMessage).get({ id }) as MessageRow | undefined;
      return row ? toDeliveryDetail(row, prepare(SQL.attempts).all({ id }) as AttemptRow[]) : null;
    },
    deliveryStats: () => toDeliveryStats(prepare(SQL.stats).all() as StatsRow[]),
  };
}
