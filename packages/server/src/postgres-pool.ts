/**
 * The service's PostgreSQL pool (node-postgres). The library takes a pool and never ends it, so the
 * service owns this one: it listens for the pool's `error` event (pg emits there the errors of idle
 * connections, e.g. the server restarting; an `error` event with no listener crashes the process) and
 * ends the pool after the store closed.
 */
import pg from 'pg';

/** How the service's pool is configured: Persona gives a delivery 5 s, so everything fails fast. */
export const POSTGRES_POOL_SETTINGS = Object.freeze({
  /** One of them is held for LISTEN while the worker runs. */
  max: 10,
  /** Waiting for a new connection, or for a free one when all are busy. */
  connectionTimeoutMillis: 3_000,
  /** Server-side limit per statement (migrations lift it for their own transaction). */
  statement_timeout: 4_000,
  application_name: 'persona-webhooks',
  /** Idle connections above zero close after this long. */
  idleTimeoutMillis: 30_000,
});

/** How long shutdown waits for `pool.end()`: it waits for every checked-out connection. */
const END_TIMEOUT_MS = 5_000;

/**
 * Opens a lazily connecting pool. `onError` hears each idle connection's failure by its code only
 * (`undefined` for pg's code-less "Connection terminated unexpectedly"): messages are never passed on,
 * as a server message can quote data.
 */
export function openPostgresPool(
  url: string,
  onError: (code: string | undefined) => void = () => {},
): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, ...POSTGRES_POOL_SETTINGS });
  pool.on('error', (error) => {
    const { code } = error as { code?: unknown };
    onError(typeof code === 'string' ? code : undefined);
  });
  return pool;
}

/** Ends the pool, giving up after `timeoutMs` so a stuck connection never hangs a shutdown. */
export async function endPostgresPool(pool: pg.Pool, timeoutMs = END_TIMEOUT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([pool.end(), expired]);
  } finally {
    clearTimeout(timer);
  }
}
