/**
 * Claiming and finishing deliveries on SQLite. One writer at a time, so claims need no row locks: the
 * IMMEDIATE transaction is the lock. Outcomes can be recorded several in one transaction
 * (`finishDeliveries`): the store groups the attempts that end together, so a busy sender pays one
 * commit for many messages instead of one each.
 */
import { randomUUID } from 'node:crypto';
import type { ClaimedDelivery, DeliveryResult, OutboxStore } from '../../outbox/outbox-types.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import {
  type DueRow,
  finishParams,
  firstDue,
  PLAIN_OUTBOX_SQL as SQL,
  toClaimedDelivery,
} from './outbox-sql.js';

/** One attempt's outcome, as `finishDelivery` takes it. */
export interface FinishRequest {
  claim: ClaimedDelivery;
  result: DeliveryResult;
  retryAtMs: number | null;
  nowMs: number;
}

export type SqliteOutboxClaims = Pick<Synchronous<OutboxStore>, 'claimDeliveries' | 'finishDelivery'> & {
  /** Records several outcomes in ONE transaction; per request, false when its lease was lost. */
  finishDeliveries(requests: readonly FinishRequest[]): boolean[];
};

export function createSqliteOutboxClaims(db: SqliteDatabase, prepare: PrepareCached): SqliteOutboxClaims {
  const claim = db.transaction((limit: number, leaseMs: number, nowMs: number, perEndpoint?: number) => {
    const due =
      perEndpoint === undefined
        ? (prepare(SQL.dueMessages).all({ now_ms: nowMs, limit }) as DueRow[])
        : dueWithRoom(prepare, limit, nowMs, perEndpoint);
    return due.map((row) => {
      const leaseToken = randomUUID();
      const attempt = Number(row.attempts) + 1;
      prepare(SQL.lease).run({ id: row.id, token: leaseToken, expires_ms: nowMs + leaseMs });
      prepare(SQL.markInterrupted).run({ id: row.id });
      prepare(SQL.startAttempt).run({ id: row.id, attempt, now_ms: nowMs });
      return toClaimedDelivery(row, attempt, leaseToken, nowMs);
    });
  });

  const finishOne = (params: ReturnType<typeof finishParams>): boolean => {
    if (prepare(SQL.finish).run(params).changes === 0) return false;
    prepare(SQL.finishAttempt).run(params);
    return true;
  };
  const finish = db.transaction(finishOne);
  const finishMany = db.transaction((requests: readonly FinishRequest[]) =>
    requests.map((r) => finishOne(finishParams(r.claim, r.result, r.retryAtMs, r.nowMs))),
  );

  return {
    claimDeliveries: ({ limit, leaseMs, nowMs, perEndpoint }) =>
      claim.immediate(limit, leaseMs, nowMs, perEndpoint),
    finishDelivery: (claimed, result, retryAtMs, nowMs) =>
      finish.immediate(finishParams(claimed, result, retryAtMs, nowMs)),
    finishDeliveries: (requests) => finishMany.immediate(requests),
  };
}

/** Each enabled endpoint's due messages, as many as it has room for, then the first `limit` of them. */
function dueWithRoom(prepare: PrepareCached, limit: number, nowMs: number, perEndpoint: number): DueRow[] {
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
}
