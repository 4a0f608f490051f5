/**
 * The outbox on PostgreSQL. Many instances share the table: claims lock the due rows with `FOR UPDATE
 * OF m SKIP LOCKED`, so each message is sent by one instance at a time, and the ordering check (no
 * older message of the same endpoint and user still open) runs under the same snapshot, so an
 * instance never passes a message whose predecessor another instance is leasing.
 */
import { randomUUID } from 'node:crypto';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import type { DeliveryStats, OutboxStore } from '../../outbox/outbox-types.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import type { PostgresQueryable } from '../postgres/driver.js';
import type { Tables } from '../postgres/tables.js';
import { listLimit } from '../read-model/row-views.js';
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
  parseDeliveryCursor,
  toDeliveryDetail,
  toDeliveryView,
  toEndpoint,
  validSecrets,
} from './outbox-sql.js';

/** Called inside the transaction of each decision change, with that transaction's client. */
export type PostgresDecisionHook = (change: DecisionChange, tx: PostgresQueryable) => Promise<void> | void;

export type PostgresOutbox = Omit<OutboxStore, 'onDeliveriesAvailable'> & {
  /** Records decision changes inside the caller's transaction, one statement for all their messages. */
  recordMany(tx: PostgresQueryable, changes: readonly DecisionChange[]): Promise<void>;
  /** After a transaction that may have recorded changes committed: wakes senders if it did. */
  committed(): void;
};

export function createPostgresOutbox(
  connections: Connections,
  t: Tables,
  hook: PostgresDecisionHook | undefined,
  onWritten: () => void,
): PostgresOutbox {
  // Set by a transaction that wrote messages; senders are woken once it committed, not before.
  let wrote = false;
  const sql = outboxStatements({
    endpoints: t.endpoints,
    messages: t.outbox,
    deliveryAttempts: t.outboxAttempts,
  });
  const p = <P extends object>(text: string) => positional<P>(text);
  const put = p<ReturnType<typeof endpointParams>>(sql.putEndpoint);
  const insertMany = `INSERT INTO ${t.outbox} (id, endpoint_id, reference_id, payload, status, attempts,
    created_at_ms, next_attempt_at_ms)
    SELECT m.id, m.endpoint_id, m.reference_id, m.payload, 'pending', 0, m.at, m.at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
      WITH ORDINALITY AS m(id, endpoint_id, reference_id, payload, at, n)
    ORDER BY m.n`;
  const due = p<{ now_ms: number; limit: number }>(`${sql.dueMessages} FOR UPDATE OF m SKIP LOCKED`);
  const dueForEndpoint = p<{ endpoint_id: string; now_ms: number; limit: number }>(
    `${sql.dueForEndpoint} FOR UPDATE OF m SKIP LOCKED`,
  );
  const sendingCount = p<{ endpoint_id: string; now_ms: number }>(sql.sendingCount);
  const markInterrupted = p<{ id: string }>(sql.markInterrupted);
  const sendNow = p<{ id: string; now_ms: number }>(sql.sendNow);
  const recover = p<{ endpoint_id: string; since_ms: number; now_ms: number }>(sql.recover);
  const removeMessages = p<{ id: string }>(sql.removeMessages);
  const removeEndpoint = p<{ id: string }>(sql.removeEndpoint);
  const lease = p<{ id: string; token: string; expires_ms: number }>(sql.lease);
  const startAttempt = p<{ id: string; attempt: number; now_ms: number }>(sql.startAttempt);
  const finish = p<ReturnType<typeof finishParams>>(sql.finish);
  const finishAttempt = p<ReturnType<typeof finishParams>>(sql.finishAttempt);
  const replay = p<{ id: string; now_ms: number }>(sql.replay);
  const exists = p<{ id: string }>(sql.exists);
  const getMessage = p<{ id: string }>(sql.getMessage);
  const attempts = p<{ id: string }>(sql.attempts);

  return {
    async recordMany(tx, changes) {
      const enabled = await tx.query(sql.enabledEndpointIds);
      const ids = (enabled.rows as { id: string }[]).map((row) => row.id);
      const rows = changes.flatMap((change) => messageParams(change, ids, change.changedAtMs));
      if (rows.length > 0) {
        await tx.query(insertMany, [
          rows.map((r) => r.id),
          rows.map((r) => r.endpoint_id),
          rows.map((r) => r.reference_id),
          rows.map((r) => r.payload),
          rows.map((r) => r.now_ms),
        ]);
        wrote = true;
      }
      for (const change of changes) await hook?.(change, tx);
    },

    committed() {
      if (!wrote) return;
      wrote = false;
      onWritten();
    },

    async putEndpoint(endpoint) {
      await connections.use((client) => client.query(put.text, put.values(endpointParams(endpoint))));
    },

    async listEndpoints() {
      const result = await connections.use((client) => client.query(sql.listEndpoints));
      return (result.rows as EndpointRow[]).map(toEndpoint);
    },

    claimDeliveries: ({ limit, leaseMs, nowMs, perEndpoint }) =>
      connections.transaction(async (tx) => {
        let rows: DueRow[];
        if (perEndpoint === undefined) {
          rows = (await tx.query(due.text, due.values({ now_ms: nowMs, limit }))).rows as DueRow[];
        } else {
          // Each enabled endpoint's due messages, as many as it has room for; other instances' leases
          // count (a concurrent claim elsewhere may overshoot by its own batch, never for long).
          const found: DueRow[] = [];
          const endpoints = (await tx.query(sql.enabledEndpointIds)).rows as { id: string }[];
          for (const { id } of endpoints) {
            const counted = await tx.query(
              sendingCount.text,
              sendingCount.values({ endpoint_id: id, now_ms: nowMs }),
            );
            const room = Math.min(limit, perEndpoint - Number((counted.rows[0] as { n: string }).n));
            if (room <= 0) continue;
            const params = { endpoint_id: id, now_ms: nowMs, limit: room };
            found.push(
              ...((await tx.query(dueForEndpoint.text, dueForEndpoint.values(params))).rows as DueRow[]),
            );
          }
          rows = firstDue(found, limit);
        }
        const claimed = [];
        for (const row of rows) {
          const leaseToken = randomUUID();
          const attempt = Number(row.attempts) + 1;
          await tx.query(
            lease.text,
            lease.values({ id: row.id, token: leaseToken, expires_ms: nowMs + leaseMs }),
          );
          await tx.query(markInterrupted.text, markInterrupted.values({ id: row.id }));
          await tx.query(startAttempt.text, startAttempt.values({ id: row.id, attempt, now_ms: nowMs }));
          claimed.push({
            id: row.id,
            endpointId: row.endpoint_id,
            url: row.url,
            secrets: validSecrets(row.secrets, nowMs),
            referenceId: row.reference_id,
            payload: row.payload,
            attempt,
            leaseToken,
          });
        }
        return claimed;
      }),

    finishDelivery: (claimed, result, retryAtMs, nowMs) =>
      connections.transaction(async (tx) => {
        const params = finishParams(claimed, result, retryAtMs, nowMs);
        const updated = await tx.query(finish.text, finish.values(params));
        if ((updated.rowCount ?? 0) === 0) return false;
        await tx.query(finishAttempt.text, finishAttempt.values(params));
        return true;
      }),

    async listDeliveries(query) {
      const limit = listLimit(query);
      const conditions: string[] = [];
      const values: unknown[] = [];
      const add = (sqlText: string, value: unknown) => {
        values.push(value);
        conditions.push(sqlText.replace('?', `$${values.length}`));
      };
      if (query.status !== undefined) add('m.status = ?::text', query.status);
      if (query.endpointId !== undefined) add('m.endpoint_id = ?::text', query.endpointId);
      if (query.referenceId !== undefined) add('m.reference_id = ?::text', query.referenceId);
      if (query.cursor !== undefined) add('m.seq < ?::bigint', parseDeliveryCursor(query.cursor) ?? 0);
      values.push(limit + 1);
      const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
      const result = await connections.use((client) =>
        client.query(`${sql.listPrefix}${where} ORDER BY m.seq DESC LIMIT $${values.length}`, values),
      );
      const rows = result.rows as MessageRow[];
      const page = rows.slice(0, limit);
      return {
        deliveries: page.map(toDeliveryView),
        nextCursor: rows.length > limit ? deliveryCursor(page.at(-1)) : null,
      };
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

    removeEndpoint: (id) =>
      connections.transaction(async (tx) => {
        // Attempts go with their messages (ON DELETE CASCADE).
        const messages = (await tx.query(removeMessages.text, removeMessages.values({ id }))).rowCount ?? 0;
        const removed =
          ((await tx.query(removeEndpoint.text, removeEndpoint.values({ id }))).rowCount ?? 0) > 0;
        return { removed, messages };
      }),

    async deliveryStats() {
      const result = await connections.use((client) => client.query(sql.stats));
      const stats: DeliveryStats = {
        pending: 0,
        sending: 0,
        delivered: 0,
        dead: 0,
        oldestUndeliveredAtMs: null,
      };
      for (const row of result.rows as {
        status: 'pending' | 'sending' | 'delivered' | 'dead';
        n: string;
        oldest: string;
      }[]) {
        stats[row.status] = Number(row.n);
        if (row.status === 'pending' || row.status === 'sending') {
          const oldest = Number(row.oldest);
          stats.oldestUndeliveredAtMs = Math.min(stats.oldestUndeliveredAtMs ?? oldest, oldest);
        }
      }
      return stats;
    },
  };
}
