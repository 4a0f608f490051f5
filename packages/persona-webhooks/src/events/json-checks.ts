/**
 * The checks both parsers (`parseEnvelope` at ingest, `parseEvent` in the worker and inline handlers)
 * apply to signed but otherwise untrusted JSON. Each failure throws a `Rejection` whose reason names the
 * path, never the value, so no payload content reaches a reason, a response or a log.
 */
import { identifierProblem } from './limits.js';

/** A parsed JSON object. */
export type JsonRecord = Record<string, unknown>;

/** Internal control flow only: each parser catches it and answers `{ ok: false, reason }`. */
export class Rejection {
  constructor(readonly reason: string) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// RFC 3339 as Persona sends it (`2024-02-15T23:48:17.732Z`); Date.parse alone accepts far too much.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** The body as text; strict UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Rejection('body is not valid UTF-8');
  }
}

/** `JSON.parse`, and the root must be an object. V8's parser is iterative: deep nesting cannot overflow it. */
export function parseJsonObject(text: string): JsonRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Rejection('body is not valid JSON');
  }
  if (!isRecord(parsed)) throw new Rejection('body is not a JSON object');
  return parsed;
}

/** Epoch ms of an RFC 3339 timestamp with a real calendar date, else null. */
export function parseTimestamp(value: string): number | null {
  const match = ISO_8601.exec(value);
  if (!match) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2024-02-30 over to March 1st; a real calendar date survives a round trip.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day ? ms : null;
}

/** `parent[key]`, which must be an object. */
export function requireRecord(parent: JsonRecord, key: string, path: string): JsonRecord {
  const value = ownValue(parent, key);
  if (value === undefined || value === null) throw new Rejection(`${path} is missing`);
  if (!isRecord(value)) throw new Rejection(`${path} is not an object`);
  return value;
}

/** `parent[key]`, which must be a non-empty string. */
export function requireString(parent: JsonRecord, key: string, path: string): string {
  const value = ownValue(parent, key);
  if (value === undefined || value === null) throw new Rejection(`${path} is missing`);
  if (typeof value !== 'string') throw new Rejection(`${path} is not a string`);
  if (value.length === 0) throw new Rejection(`${path} is empty`);
  return value;
}

/** A string that can be stored as a key: bounded, and free of NUL (which PostgreSQL cannot store). */
export function requireIdentifier(parent: JsonRecord, key: string, path: string, maxChars: number): string {
  const value = requireString(parent, key, path);
  checkIdentifier(value, path, maxChars);
  return value;
}

/** Rejects an identifier (when present) that a store could not keep as a key. */
export function checkIdentifier(value: string | null, path: string, maxChars: number): void {
  const problem = value === null ? null : identifierProblem(value, maxChars);
  if (problem) throw new Rejection(`${path} ${problem}`);
}

/** An own property only: a key such as `constructor` must never resolve to Object.prototype's. */
export function ownValue(record: JsonRecord, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
