/**
 * Hands the JSON ingest already parsed to the worker of the same process, so a body is parsed once:
 * the pipeline parses each verified body for its envelope and leaves the parsed root here, keyed by
 * event id, before storing it (the worker may claim the event as soon as it commits, before the ingest
 * call returns); the worker that claims the event takes it instead of parsing the stored bytes again.
 * `JSON.parse` was the largest single cost of an event after SQLite itself.
 *
 * It is only a cache: the stored bytes stay the truth. A root is handed over only with the bytes it was
 * parsed from, and the worker uses it only when they equal the bytes it claimed — a redelivery under
 * the same id may be another body (a second webhook's key inflection, another API version). Whenever nothing matches (another
 * process ingested it, a replay, a restart, the entry was pushed out) the worker parses the bytes, and
 * no root is read twice. Handoffs are per store object, so a pipeline and a worker share them exactly
 * when they share a store. Memory is bounded: past `HANDOFF_LIMIT` entries the oldest goes, so a backlog
 * the worker is far behind on costs nothing here.
 */
import type { JsonRecord } from './json-checks.js';

/** Parsed bodies kept per store at most: a few MB of heap for Persona-sized events. */
export const HANDOFF_LIMIT = 128;

/** A parsed root and the bytes it was parsed from. */
export interface ParsedBody {
  bytes: Uint8Array;
  root: JsonRecord;
}

const handoffs = new WeakMap<object, Map<string, ParsedBody>>();

/** Leaves `root`, parsed from `bytes`, for the worker that claims `eventId` from `store`. */
export function leaveParsedBody(store: object, eventId: string, bytes: Uint8Array, root: JsonRecord): void {
  let entries = handoffs.get(store);
  if (entries === undefined) {
    entries = new Map();
    handoffs.set(store, entries);
  }
  entries.delete(eventId);
  if (entries.size >= HANDOFF_LIMIT) {
    // Maps iterate in insertion order: the first key is the oldest entry.
    for (const oldest of entries.keys()) {
      entries.delete(oldest);
      break;
    }
  }
  entries.set(eventId, { bytes, root });
}

/** Withdraws the root left for `eventId` if it is still `root` (the body was not stored after all). */
export function withdrawParsedBody(store: object, eventId: string, root: JsonRecord): void {
  const entries = handoffs.get(store);
  if (entries?.get(eventId)?.root === root) entries.delete(eventId);
}

/**
 * Takes (and forgets) what was left for `eventId`. The caller uses the root only if `bytes` equal the
 * bytes it claimed (the worker compares them with `Buffer.compare`, a memcmp).
 */
export function takeParsedBody(store: object, eventId: string): ParsedBody | undefined {
  const entries = handoffs.get(store);
  const entry = entries?.get(eventId);
  if (entry !== undefined) entries?.delete(eventId);
  return entry;
}
