/**
 * The service's own pg pool: an idle connection dropped by the server (a restart, a failover) reaches
 * the service's listener as a code, and only a code, instead of crashing the process; and shutdown's
 * `pool.end()` is bounded even when a connection is never given back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { endPostgresPool, openPostgresPool } from '../../packages/server/src/postgres-pool.js';
import { postgresReachable, TEST_POSTGRES_URL, withTestPool } from '../helpers/postgres.js';

const reachable = await postgresReachable();

describe.skipIf(!reachable)('service PostgreSQL pool', () => {
  const opened: ReturnType<typeof openPostgresPool>[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((pool) => endPostgresPool(pool, 1_000)));
  });

  it('hands an idle connection error to the listener by code, without crashing', async () => {
    const codes: (string | undefined)[] = [];
    const pool = openPostgresPool(TEST_POSTGRES_URL, (code) => codes.push(code));
    opened.push(pool);
    const { rows } = await pool.query('SELECT pg_backend_pid() AS pid, current_setting($1) AS name', [
      'application_name',
    ]);
    expect(rows[0]?.['name']).toBe('persona-webhooks');
    // The connection is idle in the pool now; the server ends it as an admin shutdown would.
    await withTestPool((admin) => admin.query('SELECT pg_terminate_backend($1::int)', [rows[0]?.['pid']]));
    await expect.poll(() => codes, { timeout: 5_000 }).toContain('57P01');
    // The pool carries on with a new connection.
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs statements under the service timeouts', async () => {
    const pool = openPostgresPool(TEST_POSTGRES_URL);
    opened.push(pool);
    const { rows } = await pool.query("SELECT current_setting('statement_timeout') AS timeout");
    expect(rows[0]?.['timeout']).toBe('4s');
  });

  it('ends within its timeout even when a connection is never released', async () => {
    const pool = openPostgresPool(TEST_POSTGRES_URL);
    const kept = await pool.connect(); // checked out: pool.end() alone would wait for it forever
    try {
      const started = performance.now();
      await endPostgresPool(pool, 300);
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      kept.release(true);
    }
  });
});
