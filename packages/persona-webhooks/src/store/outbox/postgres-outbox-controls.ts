/**
 * The operator controls of the outbox on PostgreSQL: replay, send now, recover. Each wakes the
 * senders when it put a message back in the queue.
 */
import type { OutboxStore } from '../../outbox/outbox-types.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import type { OutboxStatements } from './outbox-sql.js';

export function createPostgresOutboxControls(
  connections: Connections,
  sql: OutboxStatements,
  onWritten: () => void,
): Pick<OutboxStore, 'replayDelivery' | 'sendDeliveryNow' | 'recoverDeliveries'> {
  const replay = positional<{ id: string; now_ms: number }>(sql.replay);
  const sendNow = positional<{ id: string; now_ms: number }>(sql.sendNow);
  const recover = positional<{ endpoint_id: string; since_ms: number; now_ms: number }>(sql.recover);
  const exists = positional<{ id: string }>(sql.exists);
  return {
    replayDelivery: (id, nowMs) =>
      connections.transaction(async (tx) => {
        const updated = await tx.query(replay.text, replay.values({ id, now_ms: nowMs }));
        if ((updated.rowCount ?? 0) > 0) {
          onWritten();
          return 'replayed' as const;
        }
        const found = await tx.query(exists.text, exists.values({ id }));
        return found.rows.length === 0 ? ('not_found' as const) : ('already_queued' as const);
      }),

    sendDeliveryNow: (id, nowMs) =>
      connections.transaction(async (tx) => {
        const updated = await tx.query(sendNow.text, sendNow.values({ id, now_ms: nowMs }));
        if ((updated.rowCount ?? 0) > 0) {
          onWritten();
          return 'queued_now' as const;
        }
        const found = await tx.query(exists.text, exists.values({ id }));
        return found.rows.length === 0 ? ('not_found' as const) : ('not_pending' as const);
      }),

    async recoverDeliveries({ endpointId, sinceMs }, nowMs) {
      const updated = await connections.use((client) =>
        client.query(
          recover.text,
          recover.values({ endpoint_id: endpointId, since_ms: sinceMs, now_ms: nowMs }),
        ),
      );
      const count = updated.rowCount ?? 0;
      if (count > 0) onWritten();
      return count;
    },
  };
}
