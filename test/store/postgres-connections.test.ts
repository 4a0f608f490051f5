/**
 * How the PostgreSQL store treats the connections it checks out of the caller's pg pool, on a real
 * server: a deadline destroys the connection its query hangs on (never handed to the next caller), a
 * connection killed mid-transaction rejects the call without crashing the process (pg emits `error` on
 * a checked-out client, and nobody but us listens there), and close() frees what outlived it so the
 * owner's `pool.end()` returns.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../packages/persona-webhooks/src/errors.js';
import { createConnections } from '../../packages/persona-webhooks/src/store/postgres/connections.js';
import { RowValues } from '../../packages/persona-webhooks/src/store/postgres/row-values.js';
import { isConnectionLoss } from '../../packages/persona-webhooks/src/store/postgres/store-error.js';
import { postgresReachable, testPool, withTestPool } from '../helpers/postgres.js';

const reachable = await postgresReachable();

/** The `pid` column of the first row. */
function backendPid(rows: unknown[]): number {
  return new RowValues(rows[0]).int('pid');
}

/** Terminates a backend from outside, as an admin or a failover would. */
async function terminate(pid: unknown): Promise<void> {
  await withTestPool((admin) => admin.query('SELECT pg_terminate_backend($1::int)', [pid]));
}

describe.skipIf(!reachable)('PostgreSQL store connections', () => {
  const pools: ReturnType<typeof testPool>[] = [];
  const openPool = (max: number) => {
    const pool = testPool({ max });
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  it('a deadline rejects on time and destroys the connection its query still holds', async () => {
    const pool = openPool(1);
    const connections = createConnections(pool);
    const started = performance.now();
    await expect(
      connections.use((client) => client.query('SELECT pg_sleep(3)'), {
        deadlineMs: 200,
        onTimeout: () => new StoreUnavailableError('late'),
      }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - started).toBeLessThan(1_000);
    // One connection allowed: had the sleeping one gone back to the pool, this would wait ~3 s for it.
    const next = performance.now();
    await pool.query('SELECT 1');
    expect(performance.now() - next).toBeLessThan(1_500);
  });

  it('a connection killed mid-transaction rejects the call, crashes nothing, and is not reused', async () => {
    const pool = openPool(2);
    const connections = createConnections(pool);
    let killed: unknown;
    const outcome = connections.transaction(async (tx) => {
      killed = backendPid((await tx.query('SELECT pg_backend_pid() AS pid')).rows);
      await terminate(killed);
      // The server has hung up; pg also emits `error` on this checked-out client.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await tx.query('SELECT 1');
    });
    const error = await outcome.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isConnectionLoss(error)).toBe(true);
    // Fresh connections only from here on: the killed backend's pid never answers again.
    for (let i = 0; i < 4; i++) {
      const { rows } = await pool.query('SELECT pg_backend_pid() AS pid');
      expect(rows[0]?.['pid']).not.toBe(killed);
    }
    expect(pool.totalCount).toBeLessThanOrEqual(2);
  });

  it('a failed statement rolls back and the connection goes back to the pool clean', async () => {
    const pool = openPool(1);
    const connections = createConnections(pool);
    let pid: unknown;
    await expect(
      connections.transaction(async (tx) => {
        pid = backendPid((await tx.query('SELECT pg_backend_pid() AS pid')).rows);
        await tx.query('SELECT 1/0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    const { rows } = await pool.query(
      'SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS own_transaction',
    );
    // The same connection was reused, and it is not stuck in the aborted transaction.
    expect(rows[0]).toEqual({ pid, own_transaction: true });
  });

  it('abandonAll() destroys connections still checked out, so the owner can end the pool', async () => {
    const pool = testPool({ max: 2 });
    const connections = createConnections(pool);
    const stuck = connections.use((client) => client.query('SELECT pg_sleep(30)'));
    stuck.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 200));
    connections.abandonAll();
    const started = performance.now();
    await pool.end();
    expect(performance.now() - started).toBeLessThan(2_000);
    await expect(stuck).rejects.toSatisfy(isConnectionLoss);
  });
});
