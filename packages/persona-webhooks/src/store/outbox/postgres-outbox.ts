/**
 * The outbox on PostgreSQL. Many instances share the table: claims lock the due rows with `FOR UPDATE
 * OF m SKIP LOCKED`, so each message is sent by one instance at a time, and the ordering check (no
 * older message of the same endpoint and user still open) runs under the same snapshot, so an
 * instance never passes a message whose predecessor another instance is leasing. Recording the
 * changes lives here; the rest is composed from the parts beside it (`postgres-outbox-endpoints.ts`,
 * `-claims.ts`, `-reads.ts`, `-controls.ts`).
 */
import type { DecisionChange } from '../../outbox/decision-changed.js';
import type { OutboxStore } from '../../outbox/outbox-types.js';
import type { Connections } from '../postgres/connections.js';
import type { PostgresQueryable } from '../postgres/driver.js';
import type { Tables } from '../postgres/tables.js';
import { messageParams, outboxStatements } from './outbox-sql.js';
import { createPostgresOutboxClaims, type PostgresOutboxClaims } from './postgres-outbox-claims.js';
import { createPostgresOutboxControls } from './postgres-outbox-controls.js';
import { createPostgresOutboxEndpoints } from './postgres-outbox-endpoints.js';
import { createPostgresOutboxReads } from './postgres-outbox-reads.js';

/** Called inside the transaction of each decision change, with that transaction's client. */
export type PostgresDecisionHook = (change: DecisionChange, tx: PostgresQueryable) => Promise<void> | void;

export type PostgresOutbox = Omit<OutboxStore, 'onDeliveriesAvailable'> &
  Pick<PostgresOutboxClaims, 'finishDeliveries'> & {
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
  const insertMany = `INSERT INTO ${t.outbox} (id, endpoint_id, reference_id, payload, status, attempts,
    created_at_ms, next_attempt_at_ms)
    SELECT m.id, m.endpoint_id, m.reference_id, m.payload, 'pending', 0, m.at, m.at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
      WITH ORDINALITY AS m(id, endpoint_id, reference_id, payload, at, n)
    ORDER BY m.n`;

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

    ...createPostgresOutboxEndpoints(connections, sql),
    ...createPostgresOutboxClaims(connections, sql),
    ...createPostgresOutboxReads(connections, sql),
    ...createPostgresOutboxControls(connections, sql, onWritten),
  };
}
