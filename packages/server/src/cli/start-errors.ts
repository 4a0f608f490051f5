/**
 * What `serve` says when the service cannot start for a reason outside it: the port is taken, or the
 * database does not answer. The raw errors ("listen EADDRINUSE", "…so Persona will retry") describe
 * the failure, not what to do about it; these do.
 */
import { StoreUnavailableError } from 'persona-webhooks';
import { DEFAULT_POSTGRES_SCHEMA, describeStoreTarget, parseDatabaseUrl } from '../open-store.js';
import { ConfigError } from '../server/config/config-error.js';
import type { ServiceConfig } from '../server/config/service-config.js';

/** A ConfigError saying what to do, for the failures we can name; anything else unchanged. */
export function explainStartError(error: unknown, config: Readonly<ServiceConfig>): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new ConfigError(
      `Port ${config.port} on ${config.host} is already in use (another persona-webhooks, or another program): stop that one, or start on another port with PORT=… (or --port).`,
    );
  }
  if (code === 'EACCES' && config.port < 1024) {
    return new ConfigError(
      `Port ${config.port} needs privileges this process does not have: use a port from 1024 up (PORT=3000), behind a proxy if need be.`,
    );
  }
  if (error instanceof StoreUnavailableError && parseDatabaseUrl(config.databaseUrl).dialect === 'postgres') {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? 'no answer';
    return new ConfigError(
      `PostgreSQL did not answer at start (${cause}): ${describeStoreTarget(config.databaseUrl, config.postgresSchema ?? DEFAULT_POSTGRES_SCHEMA)}. Start it or check DATABASE_URL (host, port, user, password, database); the service did not start.`,
    );
  }
  return error;
}
