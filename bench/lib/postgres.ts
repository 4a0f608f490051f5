/**
 * PostgreSQL for the bench: one reachability probe, and a throwaway schema per run (the store creates it
 * on migrate; the bench drops it afterwards) so runs never see each other's rows.
 */
import postgres from 'postgres';

/** The database the bench uses; override with `BENCH_PG_URL`. */
export const BENCH_PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let schemas = 0;
const STAMP = Date.now().toString(36);

/** A schema name unique to this run: lower-case, well under the store's 48-character limit. */
export function freshSchema(): string {
  schemas += 1;
  return `bench_${STAMP}_${schemas}`;
}

/** True when PostgreSQL answers `select 1` within a few seconds. */
export async function postgresReachable(url = BENCH_PG_URL): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Drops a schema the bench created; failures are ignored (a leftover schema is harmless). */
export async function dropSchema(schema: string, url = BENCH_PG_URL): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql.unsafe(`drop schema if exists "${schema}" cascade`);
  } catch {
    // Nothing to clean up, or the database went away: neither should fail a bench.
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}
