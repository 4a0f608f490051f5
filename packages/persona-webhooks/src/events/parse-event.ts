/**
 * Envelope parsing: raw bytes in, a typed `PersonaEvent` or a precise reason out. Runs on signed but
 * otherwise untrusted input, so it never throws and never echoes payload contents in its reasons.
 */
import type { PersonaEvent } from './event.js';
import { camelizeKeys, KeyDepthError, MAX_KEY_DEPTH } from './inflection.js';
import {
  identifierProblem,
  MAX_ID_CHARS,
  MAX_NAME_CHARS,
  MAX_NESTING_DEPTH,
  nestingDepthExceeds,
} from './limits.js';
import type { PersonaObject, Relationship } from './objects/persona-object.js';
import { relatedId } from './relationships.js';

/** The outcome of `parseEvent`: the event, or why the body is not one (e.g. `data.id is missing`). */
export type ParseEventResult = { ok: true; event: PersonaEvent } | { ok: false; reason: string };

/** Options of {@link parseEvent}. */
export interface ParseEventOptions {
  /**
   * Latest acceptable `created-at`, in epoch ms. The pipeline passes now + 5 minutes: an event dated
   * further ahead would win the newest-first KYC rule until that date. Default: no bound.
   */
  createdAtNotAfterMs?: number;
}

type JsonRecord = Record<string, unknown>;

// Internal control flow only: every Rejection is caught in parseEvent and turned into { ok: false }.
class Rejection {
  constructor(readonly reason: string) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

// RFC 3339 as Persona sends it (`2024-02-15T23:48:17.732Z`); Date.parse alone accepts far too much.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses a Persona webhook body (the exact signed bytes). Keys are normalised to camelCase whatever the
 * webhook's inflection; inquiry `fields` are kept as sent. Unknown event names, attributes, statuses
 * and id prefixes are accepted; `included` and `relationships` are optional.
 *
 * @example
 * const parsed = parseEvent(rawBody);
 * if (!parsed.ok) throw new InvalidEventError(parsed.reason);
 * const { event } = parsed; // event.name === 'inquiry.approved', event.object.attributes.referenceId …
 */
export function parseEvent(body: Uint8Array | string, options: ParseEventOptions = {}): ParseEventResult {
  try {
    return { ok: true, event: parseOrReject(body, options) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.reason };
    // Unreachable by design; kept so a bug here can never turn into an unhandled throw on attacker input.
    return { ok: false, reason: 'body could not be parsed' };
  }
}

function parseOrReject(body: Uint8Array | string, options: ParseEventOptions): PersonaEvent {
  const raw = typeof body === 'string' ? encoder.encode(body) : body;
  const text = typeof body === 'string' ? body : decodeUtf8(body);
  if (nestingDepthExceeds(text, MAX_NESTING_DEPTH)) {
    throw new Rejection(`body nests deeper than ${MAX_NESTING_DEPTH} levels`);
  }
  const root = normalise(parseJson(text));

  const data = requireRecord(root, 'data', 'data');
  if (data['type'] !== undefined && data['type'] !== 'event') throw new Rejection('data.type is not "event"');
  const id = requireIdentifier(data, 'id', 'data.id', MAX_ID_CHARS);
  const attributes = requireRecord(data, 'attributes', 'data.attributes');
  const name = requireIdentifier(attributes, 'name', 'data.attributes.name', MAX_NAME_CHARS);
  const createdAt = requireString(attributes, 'createdAt', 'data.attributes.created-at');
  const createdAtMs = parseTimestamp(createdAt);
  if (createdAtMs === null) throw new Rejection('data.attributes.created-at is not an ISO 8601 timestamp');
  if (options.createdAtNotAfterMs !== undefined && createdAtMs > options.createdAtNotAfterMs) {
    throw new Rejection('data.attributes.created-at is in the future');
  }

  const payload = requireRecord(attributes, 'payload', 'data.attributes.payload');
  const objectPath = 'data.attributes.payload.data';
  const object = toObject(requireRecord(payload, 'data', objectPath), objectPath);
  const included = Array.isArray(payload['included'])
    ? payload['included'].filter(isRecord).flatMap((item) => {
        // An included resource we cannot read is dropped, not fatal: the event itself is still valid.
        try {
          return [toObject(item, 'included')];
        } catch {
          return [];
        }
      })
    : [];

  const inquiryId = object.type === 'inquiry' ? object.id : relatedId(object.relationships, 'inquiry');
  const accountId = object.type === 'account' ? object.id : relatedId(object.relationships, 'account');
  checkIdentifier(inquiryId, 'the related inquiry id', MAX_ID_CHARS);
  checkIdentifier(accountId, 'the related account id', MAX_ID_CHARS);
  return { id, name, createdAt, createdAtMs, object, included, inquiryId, accountId, raw };
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Rejection('body is not valid UTF-8');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Rejection('body is not valid JSON');
  }
}

function normalise(parsed: unknown): JsonRecord {
  if (!isRecord(parsed)) throw new Rejection('body is not a JSON object');
  try {
    return camelizeKeys(parsed) as JsonRecord;
  } catch (error) {
    if (error instanceof KeyDepthError) throw new Rejection(`body nests deeper than ${MAX_KEY_DEPTH} levels`);
    throw error;
  }
}

function toObject(record: JsonRecord, path: string): PersonaObject {
  const type = requireIdentifier(record, 'type', `${path}.type`, MAX_NAME_CHARS);
  const id = requireIdentifier(record, 'id', `${path}.id`, MAX_ID_CHARS);
  const attributes = isRecord(record['attributes']) ? record['attributes'] : {};
  const object: PersonaObject = { type, id, attributes };
  const relationships = record['relationships'];
  if (isRecord(relationships)) {
    object.relationships = Object.fromEntries(
      Object.entries(relationships).filter((entry): entry is [string, Relationship] => isRecord(entry[1])),
    );
  }
  return object;
}

function parseTimestamp(value: string): number | null {
  const match = ISO_8601.exec(value);
  if (!match) return null;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  // Date.parse rolls 2024-02-30 over to March 1st; a real calendar date survives a round trip.
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  return calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day ? ms : null;
}

function requireRecord(parent: JsonRecord, key: string, path: string): JsonRecord {
  const value = parent[key];
  if (value === undefined || value === null) throw new Rejection(`${path} is missing`);
  if (!isRecord(value)) throw new Rejection(`${path} is not an object`);
  return value;
}

function requireString(parent: JsonRecord, key: string, path: string): string {
  const value = parent[key];
  if (value === undefined || value === null) throw new Rejection(`${path} is missing`);
  if (typeof value !== 'string') throw new Rejection(`${path} is not a string`);
  if (value.length === 0) throw new Rejection(`${path} is empty`);
  return value;
}

/** A string that can be stored as a key: bounded, and free of NUL (which PostgreSQL cannot store). */
function requireIdentifier(parent: JsonRecord, key: string, path: string, maxChars: number): string {
  const value = requireString(parent, key, path);
  checkIdentifier(value, path, maxChars);
  return value;
}

function checkIdentifier(value: string | null, path: string, maxChars: number): void {
  const problem = value === null ? null : identifierProblem(value, maxChars);
  if (problem) throw new Rejection(`${path} ${problem}`);
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
