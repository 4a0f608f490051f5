/**
 * Claiming and finishing deliveries on PostgreSQL. Claims lock the due rows with `FOR UPDATE OF m SKIP
 * LOCKED`, so each message is sent by one instance at a time, and the ordering check runs under the
 * same snapshot, so an instance never passes a message whose predecessor another instance is leasing.
 * Outcomes can be recorded several in one transaction (`finishDeliveries`, grouped by the store).
 */
import { randomUUID } from 'node:crypto';
import type {
  ClaimDeliveriesOptions,
  ClaimedDelivery,
  DeliveryResult,
  OutboxStore,
} from '../../outbox/outbox-types.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import type { PostgresQueryable } from '../postgres/driver.js';
import {
  type DueRow,
  finishParams,
  firstDue,
  type OutboxStatements,
  toClaimedDelivery,
} from './outbox-sql.js';

/** The claim statements, rendered once per store. */
function claimStatements(sql: OutboxStatements) {
  return {
    enabledEndpointIds: sql.enabledEndpointIds,
    due: positional<{ now_ms: number; limit: number }>(`${sql.dueMessages} FOR UPDATE OF m SKIP LOCKED`),
    dueForEndpoint: positional<{ endpoint_id: string; now_ms: number; limit: number }>(
      `${sql.dueForEndpoint} FOR UPDATE OF m SKIP LOCKED`,
    ),
    sendingCount: positional<{ endpoint_id: string; now_ms: number }>(sql.sendingCount),
    lease: positional<{ id: string; token: string; expires_ms: number }>(sql.lease),
    markInterrupted: positional<{ id: string }>(sql.markInterrupted),
    startAttempt: positional<{ id: string; attempt: number; now_ms: number }>(sql.startAttempt),
  };
}

type ClaimStatements = ReturnType<typeof claimStatements>;

/** One attempt's outcome, as `finishDelivery` takes it. */
export interface PostgresFinishRequest {
  claim: ClaimedDelivery;
  result: DeliveryResult;
  retryAtMs: number | null;
  nowMs: number;
}

export type PostgresOutboxClaims = Pick<OutboxStore, 'claimDeliveries' | 'finishDelivery'> & {
  /** Records several outcomes in ONE transaction; per request, false when its lease was lost. */
  finishDeliveries(requests: readonly PostgresFinishRequest[]): Promise<boolean[]>;
};

export function createPostgresOutboxClaims(
  connections: Connections,
  sql: OutboxStatements,
): PostgresOutboxClaims {
  const s = claimStatements(sql);
  const finish = positional<ReturnType<typeof finishParams>>(sql.finish);
  const finishAttempt = positional<ReturnType<typeof finishParams>>(sql.finishAttempt);
  const finishOne = async (tx: PostgresQueryable, r: PostgresFinishRequest): Promise<boolean> => {
    const params = finishParams(r.claim, r.result, r.retryAtMs, r.nowMs);
    const updated = await tx.query(finish.text, finish.values(params));
    if ((updated.rowCount ?? 0) === 0) return false;
    await tx.query(finishAttempt.text, finishAttempt.values(params));
    return true;
  };
  return {
    claimDeliveries: (options) => connections.transaction((tx) => claim(tx, s, options)),
    finishDelivery: (claim, result, retryAtMs, nowMs) =>
      connections.transaction((tx) => finishOne(tx, { claim, result, retryAtMs, nowMs })),
    finishDeliveries: (requests) =>
      connections.transaction(async (tx) => {
        const results: boolean[] = [];
        for (const request of requests) results.push(await finishOne(tx, request));
        return results;
      }),
  };
}

/** Locks the due messages and leases each, in the caller's transaction. */
async function claim(
  tx: PostgresQueryable,
  s: ClaimStatements,
  { limit, leaseMs, nowMs, perEndpoint }: ClaimDeliveriesOptions,
): Promise<ClaimedDelivery[]> {
  const rows =
    perEndpoint === undefined
      ? ((await tx.query(s.due.text, s.due.values({ now_ms: nowMs, limit }))).rows as DueRow[])
      : await dueWithRoom(tx, s, limit, nowMs, perEndpoint);
  const claimed = [];
  for (const row of rows) {
    const leaseToken = randomUUID();
    const attempt = Number(row.attempts) + 1;
    await tx.query(
      s.lease.text,
      s.lease.values({ id: row.id, token: leaseToken, expires_ms: nowMs + leaseMs }),
    );
    await tx.query(s.markInterrupted.text, s.markInterrupted.values({ id: row.id }));
    await tx.query(s.startAttempt.text, s.startAttempt.values({ id: row.id, attempt, now_ms: nowMs }));
    claimed.push(toClaimedDelivery(row, attempt, leaseToken, nowMs));
  }
  return claimed;
}

/**
 * Each enabled endpoint's due messages, as many as it has room for, then the first `limit` of them;
 * other instances' leases count (a concurrent claim elsewhere may overshoot by its own batch, never
 * for long).
 */
async function dueWithRoom(
  tx: PostgresQueryable,
  s: ClaimStatements,
  limit: number,
  nowMs: number,
  perEndpoint: number,
): Promise<DueRow[]> {
  const found: DueRow[] = [];
  const endpoints = (await tx.query(s.enabledEndpointIds)).rows as { id: string }[];
  for (const { id } of endpoints) {
    const counted = await tx.query(
      s.sendingCount.text,
      s.sendingCount.values({ endpoint_id: id, now_ms: nowMs }),
    );
    const room = Math.min(limit, perEndpoint - Number((counted.rows[0] as { n: string }).n));
    if (room <= 0) continue;
    const params = { endpoint_id: id, now_ms: nowMs, limit: room };
    found.push(
      ...((await tx.query(s.dueForEndpoint.text, s.dueForEndpoint.values(params))).rows as DueRow[]),
    );
  }
  return firstDue(found, limit);
}
