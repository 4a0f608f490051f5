/**
 * The outbox on SQLite: decision changes become messages inside the completing transaction, and the
 * delivery worker leases, finishes and replays them. One writer at a time, so claims need no row
 * locks: the IMMEDIATE transaction is the lock. Recording the changes lives here; the rest is composed
 * from the parts beside it (`sqlite-outbox-endpoints.ts`, `-claims.ts`, `-reads.ts`, `-controls.ts`).
 */
import type { DecisionChange } from '../../outbox/decision-changed.js';
import type { OutboxStore } from '../../outbox/outbox-types.js';
import type { RecordSqliteChanges } from '../decisions/sqlite-decisions.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import { messageParams, PLAIN_OUTBOX_SQL as SQL } from './outbox-sql.js';
import { createSqliteOutboxClaims, type SqliteOutboxClaims } from './sqlite-outbox-claims.js';
import { createSqliteOutboxControls } from './sqlite-outbox-controls.js';
import { createSqliteOutboxEndpoints } from './sqlite-outbox-endpoints.js';
import { createSqliteOutboxReads } from './sqlite-outbox-reads.js';

/** Called inside the transaction of each decision change, with the connection it runs on. */
export type SqliteDecisionHook = (change: DecisionChange, db: SqliteDatabase) => void;

/** The outbox operations bound to one connection (sync; the store wraps them in promises). */
export type SqliteOutbox = Synchronous<Omit<OutboxStore, 'onDeliveriesAvailable'>> &
  Pick<SqliteOutboxClaims, 'finishDeliveries'> & {
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
    ...createSqliteOutboxEndpoints(db, prepare),
    ...createSqliteOutboxClaims(db, prepare),
    ...createSqliteOutboxReads(prepare),
    // A control that queued a message again counts as one write, so the store wakes the senders.
    ...createSqliteOutboxControls(prepare, () => {
      written++;
    }),
  };
}
