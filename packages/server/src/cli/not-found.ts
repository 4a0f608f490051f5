/**
 * What a lookup that found nothing prints: the message and which store it read, so a wrong
 * DATABASE_URL (another file, another schema) is seen at once instead of looking like missing data.
 */
import { DEFAULT_POSTGRES_SCHEMA, describeStoreTarget } from '../open-store.js';
import { databaseUrlFrom } from './settings.js';

/** `message (read SQLite file /abs/data/persona-webhooks.db)`, for the store `--database-url` names. */
export function withStoreNamed(message: string, databaseUrlFlag: string | undefined): string {
  const schema = process.env['PERSONA_WEBHOOKS_PG_SCHEMA'] || DEFAULT_POSTGRES_SCHEMA;
  return `${message} (read ${describeStoreTarget(databaseUrlFrom(databaseUrlFlag), schema)})`;
}

/** Prints `message` and the store read on stderr, and makes the command exit 1. */
export function notFound(message: string, databaseUrlFlag: string | undefined): void {
  process.stderr.write(`${withStoreNamed(message, databaseUrlFlag)}\n`);
  process.exitCode = 1;
}
