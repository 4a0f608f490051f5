/**
 * PostgreSQL for the bench: one reachability probe, and a throwaway schema per run (the store creates it
 * on migrate; the bench drops it afterwards) so runs never see each other's rows.
 */
import pg from 'pg';

/** The database the bench uses; override with `BENCH_PG_URL`. */
export const BENCH_PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let schemas = 0;
const STAMP = Date.now().toString(36);

/** A schema name unique to this run: lower-case, well under the store's 48-character limit. */
export function freshSchema(): string {
  schemas += 1;
  return `bench_${STAMP}_${schemas}`;
}

/** Runs `work` on a one-connection pool, then ends it. */
async function withPool<T>(url: string, work: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 3_000 });
  pool.on('error', () => {});
  try {
    return await work(pool);
  } finally {
    await pool.end().catch(() => {});
  }
}

/** True when PostgreSQL answers `select 1` within a few seconds. */
export async function postgresReachable(url = BENCH_PG_URL): Promise<boolean> {
  return withPool(url, (pool) => pool.query('select 1')).then(
    () => true,
    () => false,
  );
}

/** Drops a schema the bench created; failures are ignored (a leftover schema is harmless). */
export async function dropSchema(schema: string, url = BENCH_PG_URL): Promise<void> {
  // Nothing to clean up, or the database went away: neither should fail a bench.
  await withPool(url, (pool) => pool.query(`drop schema if exists "${schema}" cascade`)).catch(() => {});
}
