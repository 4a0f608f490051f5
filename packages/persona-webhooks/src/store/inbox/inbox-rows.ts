/**
 * How an ingested event and a quarantined body become `events` rows. Quarantined bodies share the
 * table (status `dead`, id `malformed_<sha256>`) so the admin API lists them beside real events and
 * Persona's retries of the same bytes dedupe on the primary key like any event.
 */
import type { EventSource, InboxEvent, QuarantinedBody } from './inbox.js';

/** Longest error text kept in `last_error` / `event_attempts.error`. */
export const MAX_ERROR_CHARS = 2_000;

/** Reported on an attempt whose worker never finished it before its lease ran out. */
export const LEASE_EXPIRED_ERROR = 'lease expired before the attempt finished';

/** Id prefix of quarantined bodies: they can never be processed, so bulk replay skips them. */
export const MALFORMED_ID_PREFIX = 'malformed_';

/** One `events` row as both stores insert it; the keys are the column names. */
export interface EventRow {
  id: string;
  name: string;
  created_at: string;
  created_at_ms: number;
  object_type: string | null;
  object_id: string | null;
  inquiry_id: string | null;
  account_id: string | null;
  reference_id: string | null;
  body: Buffer;
  attempts_made: number | null;
  attempts_left: number | null;
  first_attempted_at_ms: number | null;
  received_at_ms: number;
  status: 'pending' | 'dead';
  run_at_ms: number;
  last_error: string | null;
  source: EventSource;
}

/**
 * The columns an insert writes, in one order for both stores: SQLite binds them by name, PostgreSQL
 * as `$n` in this order. Every other column (attempts, lease, processed-at) starts at its default.
 */
export const EVENT_COLUMNS = [
  'id',
  'name',
  'created_at',
  'created_at_ms',
  'object_type',
  'object_id',
  'inquiry_id',
  'account_id',
  'reference_id',
  'body',
  'attempts_made',
  'attempts_left',
  'first_attempted_at_ms',
  'received_at_ms',
  'status',
  'run_at_ms',
  'last_error',
  'source',
] as const satisfies readonly (keyof EventRow)[];

/** `INSERT INTO <table> (<EVENT_COLUMNS>) VALUES`, followed by one or more value tuples. */
export function insertEventsPrefix(table: string): string {
  return `INSERT INTO ${table} (${EVENT_COLUMNS.join(', ')}) VALUES`;
}

// SQLite keeps bodies in their own table (its migration 5 says why); PostgreSQL keeps them in `events`,
// where TOAST already stores them apart from the row.
const SQLITE_EVENT_COLUMNS = EVENT_COLUMNS.filter((column) => column !== 'body');

/** SQLite's insert of one row unless its id exists: `changes === 0` means duplicate. */
export const INSERT_EVENT_SQL = `INSERT INTO events (${SQLITE_EVENT_COLUMNS.join(', ')})
VALUES (${SQLITE_EVENT_COLUMNS.map((c) => `@${c}`).join(', ')})
ON CONFLICT (id) DO NOTHING`;

/** SQLite's insert of a stored row's body (only after INSERT_EVENT_SQL stored the row). */
export const INSERT_BODY_SQL = 'INSERT INTO event_bodies (event_id, body) VALUES (?, ?)';

/** A verified event, due at once. */
export function eventRow(event: InboxEvent): EventRow {
  return {
    id: event.id,
    name: event.name,
    created_at: event.createdAt,
    created_at_ms: event.createdAtMs,
    object_type: event.objectType,
    object_id: event.objectId,
    inquiry_id: event.inquiryId,
    account_id: event.accountId,
    reference_id: event.referenceId ?? null,
    body: asBuffer(event.body),
    attempts_made: event.attemptsMade,
    attempts_left: event.attemptsLeft,
    first_attempted_at_ms: event.firstAttemptedAtMs,
    received_at_ms: event.receivedAtMs,
    status: 'pending',
    run_at_ms: event.receivedAtMs,
    last_error: null,
    source: event.source ?? 'webhook',
  };
}

/** A signed-but-malformed body, dead on arrival. */
export function quarantineRow(quarantined: QuarantinedBody): EventRow {
  return {
    id: `${MALFORMED_ID_PREFIX}${quarantined.sha256}`,
    name: 'malformed',
    created_at: new Date(quarantined.receivedAtMs).toISOString(),
    created_at_ms: quarantined.receivedAtMs,
    object_type: null,
    object_id: null,
    inquiry_id: null,
    account_id: null,
    reference_id: null,
    body: asBuffer(quarantined.body),
    attempts_made: null,
    attempts_left: null,
    first_attempted_at_ms: null,
    received_at_ms: quarantined.receivedAtMs,
    status: 'dead',
    run_at_ms: quarantined.receivedAtMs,
    last_error: truncateError(quarantined.reason),
    source: quarantined.source ?? 'webhook',
  };
}

/** Keeps stored error text bounded whatever a handler throws. */
export function truncateError(error: string): string {
  return error.length > MAX_ERROR_CHARS ? error.slice(0, MAX_ERROR_CHARS) : error;
}

// The driver binds Buffers as BLOBs; a view over the same memory avoids copying the body.
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
