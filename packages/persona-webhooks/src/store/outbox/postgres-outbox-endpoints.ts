/** The application endpoints on PostgreSQL: add or change, list, remove with their messages. */
import type { OutboxStore } from '../../outbox/outbox-types.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import { type EndpointRow, endpointParams, type OutboxStatements, toEndpoint } from './outbox-sql.js';

export function createPostgresOutboxEndpoints(
  connections: Connections,
  sql: OutboxStatements,
): Pick<OutboxStore, 'putEndpoint' | 'listEndpoints' | 'removeEndpoint'> {
  const put = positional<ReturnType<typeof endpointParams>>(sql.putEndpoint);
  const removeMessages = positional<{ id: string }>(sql.removeMessages);
  const removeEndpoint = positional<{ id: string }>(sql.removeEndpoint);
  return {
    async putEndpoint(endpoint) {
      await connections.use((client) => client.query(put.text, put.values(endpointParams(endpoint))));
    },

    async listEndpoints() {
      const result = await connections.use((client) => client.query(sql.listEndpoints));
      return (result.rows as EndpointRow[]).map(toEndpoint);
    },

    removeEndpoint: (id) =>
      connections.transaction(async (tx) => {
        // Attempts go with their messages (ON DELETE CASCADE).
        const messages = (await tx.query(removeMessages.text, removeMessages.values({ id }))).rowCount ?? 0;
        const removed =
          ((await tx.query(removeEndpoint.text, removeEndpoint.values({ id }))).rowCount ?? 0) > 0;
        return { removed, messages };
      }),
  };
}
