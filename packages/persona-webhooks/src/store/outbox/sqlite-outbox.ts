/**
 * The outbox on SQLite: decision changes become messages inside the completing transaction, and the
 * delivery worker leases, finishes and replays them. One writer at a time, so claims need no row
 * locks: the IMMEDIATE transaction is the lock.
 */
import { randomUUID } from 'node:crypto';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import type { OutboxStore } from '../../outbox/outbox-types.js';
import type { RecordSqliteChanges } from '../decisions/sqlite-decisions.js';
import { listLimit } from '../read-model/row-views.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import {
  type AttemptRow,
  type DueRow,
  deliveryCursor,
  type EndpointRow,
  endpointParams,
  finishParams,
  firstDue,
  type MessageRow,
  messageParams,
  outboxStatements,
  PLAIN_OUTBOX_TABLES,
  parseDeliveryCursor,
  toDeliveryDetail,
  toDeliveryView,
  toEndpoint,
  validSecrets,
} from './outbox-sql.js';

const SQL = outboxStatements(PLAIN_OUTBOX_TABLES);

/** Called inside the transaction of each decision change, with the connection it runs on. */
export type SqliteDecisionHook = (change: DecisionChange, db: SqliteDatabase) => void;

/** The outbox operations bound to one connection (sync; the store wraps them in promises). */
export type SqliteOutbox = {
  [K in Exclude<keyof OutboxStore, 'onDeliveriesAvailable'>]: (
    ...args: Parameters<OutboxStore[K]>
  ) => Awaited<ReturnType<OutboxStore[K]>>;
} & {
  /** Records decision changes as messages (and runs the user's hook), in the caller's transaction. */
  record: RecordSqliteChanges;
  /** Messages written since the connection opened: the store wakes senders when it moves. */
  written(): number;
};

export function createSqliteOutbox(
  db: SqliteDatabase,
  prepare: PrepareCached,
  hook: SqliteDecisionHook | undefined,
): SqliteOutbox {
  let written = 0;

  /** Each enabled endpoint's due messages, as many as it has room for, then the first `limit` of them. */
  const dueWithRoom = (limit: number, nowMs: number, perEndpoint: number): DueRow[] => {
    const rows: DueRow[] = [];
    for (const { id } of prepare(SQL.enabledEndpointIds).all() as { id: string }[]) {
      const { n } = prepare(SQL.sendingCount).get({ endpoint_id: id, now_ms: nowMs }) as { n: number };
      const room = Math.min(limit, perEndpoint - n);
      if (room <= 0) continue;
      rows.push(
        ...(prepare(SQL.dueForEndpoint).all({ endpoint_id: id, now_ms: nowMs, limit: room }) as DueRow[]),
      );
    }
    return firstDue(rows, limit);
  };

  const claim = db.transaction((limit: number, leaseMs: number, nowMs: number, perEndpoint?: number) => {
    const due =
      perEndpoint === undefined
        ? (prepare(SQL.dueMessages).all({ now_ms: nowMs, limit }) as DueRow[])
        : dueWithRoom(limit, nowMs, perEndpoint);
    return due.map((row) => {
      const leaseToken = randomUUID();
      const attempt = Number(row.attempts) + 1;
      prepare(SQL.lease).run({ id: row.id, token: leaseToken, expires_ms: nowMs + leaseMs });
      prepare(SQL.markInterrupted).run({ id: row.id });
      prepare(SQL.startAttempt).run({ id: row.id, attempt, now_ms: nowMs });
      return {
        id: row.id,
        endpointId: row.endpoint_id,
        url: row.url,
        secrets: validSecrets(row.secrets, nowMs),
        referenceId: row.reference_id,
        payload: row.payload,
        attempt,
        leaseToken,
      };
    });
  });

  const finish = db.transaction((params: ReturnType<typeof finishParams>) => {
    if (prepare(SQL.finish).run(params).changes === 0) return false;
    prepare(SQL.finishAttempt).run(params);
    return true;
  });

  return {
    record(changes) {
      const endpoints = (prepare(SQL.enabledEndpointIds).all() as { id: string }[]).map((row) => row.id);
      for (const change of changes) {
        for (const params of messageParams(change, endpoints, change.changedAtMs)) {
          prepare(SQL.insertMessage).run(params);
          written++;
        }
        hook?.(change, db);
      }
    },
    written: () => written,
    putEndpoint(endpoint) {
      prepare(SQL.putEndpoint).run(endpointParams(endpoint));
    },
    listEndpoints: () => (prepare(SQL.listEndpoints).all() as EndpointRow[]).map(toEndpoint),
    claimDeliveries: ({ limit, leaseMs, nowMs, perEndpoint }) =>
      claim.immediate(limit, leaseMs, nowMs, perEndpoint),
    finishDelivery: (claimed, result, retryAtMs, nowMs) =>
      finish.immediate(finishParams(claimed, result, retryAtMs, nowMs)),
    listDeliveries(query) {
      const limit = listLimit(query);
      const conditions: string[] = [];
      const params: Record<string, string | number> = { limit: limit + 1 };
      if (query.status !== undefined) {
        conditions.push('m.status = @status');
        params['status'] = query.status;
      }
      if (query.endpointId !== undefined) {
        conditions.push('m.endpoint_id = @endpoint_id');
        params['endpoint_id'] = query.endpointId;
      }
      if (query.referenceId !== undefined) {
        conditions.push('m.reference_id = @reference_id');
        params['reference_id'] = query.referenceId;
      }
      if (query.cursor !== undefined) {
        conditions.push('m.seq < @before_seq');
        params['before_seq'] = parseDeliveryCursor(query.cursor) ?? 0;
      }
      const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
      const rows = prepare(`${SQL.listPrefix}${where} ORDER BY m.seq DESC LIMIT @limit`).all(
        params,
      ) as MessageRow[];
      const page = rows.slice(0, limit);
      return {
        deliveries: page.map(toDeliveryView),
        nextCursor: rows.length > limit ? deliveryCursor(page.at(-1)) : null,
      };
    },
    getDelivery(id) {
      const row = prepare(SQL.getMessage).get({ id }) as MessageRow | undefined;
      return row ? toDeliveryDetail(row, prepare(SQL.attempts).all({ id }) as AttemptRow[]) : null;
    },
    replayDelivery(id, nowMs) {
      if (prepare(SQL.replay).run({ id, now_ms: nowMs }).changes > 0) {
        written++;
        return 'replayed';
      }
      return prepare(SQL.exists).get({ id }) === undefined ? 'not_found' : 'already_queued';
    },
    sendDeliveryNow(id, nowMs) {
      if (prepare(SQL.sendNow).run({ id, now_ms: nowMs }).changes > 0) {
        written++;
        return 'queued_now';
      }
      return prepare(SQL.exists).get({ id }) === undefined ? 'not_found' : 'not_pending';
    },
    recoverDeliveries({ endpointId, sinceMs }, nowMs) {
      const params = { endpoint_id: endpointId, since_ms: sinceMs, now_ms: nowMs };
      const count = Number(prepare(SQL.recover).run(params).changes);
      if (count > 0) written++;
      return count;
    },
    removeEndpoint: db.transaction((id: string) => {
      // Attempts go with their messages (ON DELETE CASCADE).
      const messages = Number(prepare(SQL.removeMessages).run({ id }).changes);
      const removed = prepare(SQL.removeEndpoint).run({ id }).changes > 0;
      return { removed, messages };
    }),
    deliveryStats() {
      const stats = {
        pending: 0,
        sending: 0,
        delivered: 0,
        dead: 0,
        oldestUndeliveredAtMs: null as number | null,
      };
      for (const row of prepare(SQL.stats).all() as {
        status: keyof typeof stats;
        n: number;
        oldest: number;
      }[]) {
        if (row.status === 'oldestUndeliveredAtMs') continue;
        stats[row.status] = row.n;
        if (row.status === 'pending' || row.status === 'sending') {
          stats.oldestUndeliveredAtMs = Math.min(stats.oldestUndeliveredAtMs ?? row.oldest, row.oldest);
        }
      }
      return stats;
    },
  };
}
