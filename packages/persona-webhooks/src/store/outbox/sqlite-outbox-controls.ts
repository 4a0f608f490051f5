/**
 * The operator controls of the outbox on SQLite: replay, send now, recover. Each counts as a write
 * when it put a message back in the queue, so the store wakes the senders.
 */

import type { OutboxStore } from '../../outbox/outbox-types.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import { PLAIN_OUTBOX_SQL as SQL } from './outbox-sql.js';

export function createSqliteOutboxControls(
  prepare: PrepareCached,
  onWritten: () => void,
): Pick<Synchronous<OutboxStore>, 'replayDelivery' | 'sendDeliveryNow' | 'recoverDeliveries'> {
  return {
    replayDelivery(id, nowMs) {
      if (prepare(SQL.replay).run({ id, now_ms: nowMs }).changes > 0) {
        onWritten();
        return 'replayed';
      }
      return prepare(SQL.exists).get({ id }) === undefined ? 'not_found' : 'already_queued';
    },
    sendDeliveryNow(id, nowMs) {
      if (prepare(SQL.sendNow).run({ id, now_ms: nowMs }).changes > 0) {
        onWritten();
        return 'queued_now';
      }
      return prepare(SQL.exists).get({ id }) === undefined ? 'not_found' : 'not_pending';
    },
    recoverDeliveries({ endpointId, sinceMs }, nowMs) {
      const params = { endpoint_id: endpointId, since_ms: sinceMs, now_ms: nowMs };
      const count = Number(prepare(SQL.recover).run(params).changes);
      if (count > 0) onWritten();
      return count;
    },
  };
}
