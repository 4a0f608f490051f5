/** The admin reads of the outbox on PostgreSQL: a page of deliveries, one with its attempts, counts. */
import type { OutboxStore } from '../../outbox/outbox-types.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import { listLimit } from '../read-model/row-views.js';
import {
  type AttemptRow,
  deliveryPage,
  deliveryWhere,
  type MessageRow,
  type OutboxStatements,
  type StatsRow,
  toDeliveryDetail,
  toDeliveryStats,
} from './outbox-sql.js';

export function createPostgresOutboxReads(
  connections: Connections,
  sql: OutboxStatements,
): Pick<OutboxStore, 'listDeliveries' | 'getDelivery' | 'deliveryStats'> {
  const getMessage = positional<{ id: string }>(sql.getMessage);
  const attempts = positional<{ id: string }>(sql.attempts);
  return {
    async listDeliveries(query) {
      const limit = listLimit(query);
      const values: unknown[] = [];
      const where = deliveryWhere(query, (_name, type, value) => {
        values.push(value);
        return `$${values.length}::${type}`;
      });
      values.push(limit + 1);
      const result = await connections.use((client) =>
        client.query(`${sql.listPrefix}${where} ORDER BY m.seq DESC LIMIT $${values.length}`, values),
      );
      return deliveryPage(result.rows as MessageRow[], limit);
    },

    async getDelivery(id) {
      return connections.use(async (client) => {
        const row = (await client.query(getMessage.text, getMessage.values({ id }))).rows[0] as
          | MessageRow
          | undefined;
        if (!row) return null;
        const log = (await client.query(attempts.text, attempts.values({ id }))).rows as AttemptRow[];
        return toDeliveryDetail(row, log);
      });
    },

    async deliveryStats() {
      const result = await connections.use((client) => client.query(sql.stats));
      return toDeliveryStats(result.rows as StatsRow[]);
    },
  };
}
