/**
 * Full event parsing: raw bytes in, a typed, camelCased `PersonaEvent` or a precise reason out. The worker
 * runs it once per event before the handlers (ingest reads only the envelope: `parse-envelope.ts`), and
 * the inline pipeline runs it per delivery. Runs on signed but otherwise untrusted input, so it never
 * throws and never echoes payload contents in its reasons.
 */
import type { PersonaEvent } from './event.js';
import { camelizeKeys, KeyDepthError } from './inflection.js';
import {
  decodeUtf8,
  isRecord,
  type JsonRecord,
  parseJsonObject,
  Rejection,
  requireIdentifier,
  requireRecord,
} from './json-checks.js';
import { MAX_ID_CHARS, MAX_NAME_CHARS, MAX_NESTING_DEPTH } from './limits.js';
import type { PersonaObject, Relationship } from './objects/persona-object.js';
import { type ParseEventOptions, readEnvelope } from './parse-envelope.js';

/** The outcome of `parseEvent`: the event, or why the body is not one (e.g. `data.id is missing`). */
export type ParseEventResult = { ok: true; event: PersonaEvent } | { ok: false; reason: string };

export type { ParseEventOptions } from './parse-envelope.js';

const encoder = new TextEncoder();

/**
 * Parses a Persona webhook body (the exact signed bytes). Keys are normalised to camelCase whatever the
 * webhook's inflection; `fields` are kept as sent (`__proto__`, `constructor` and `prototype` are
 * dropped there as everywhere). Every API version's shape is accepted (one receiver sees several: each
 * webhook has its own): unknown event names, attributes, statuses and id prefixes, `included` and
 * `relationships` absent or empty, a `context` attribute or none.
 *
 * @example
 * const parsed = parseEvent(rawBody);
 * if (!parsed.ok) throw new InvalidEventError(parsed.reason);
 * const { event } = parsed; // event.name === 'inquiry.approved', event.object.attributes.referenceId …
 */
export function parseEvent(body: Uint8Array | string, options: ParseEventOptions = {}): ParseEventResult {
  return rejectionToResult(() => {
    const raw = typeof body === 'string' ? encoder.encode(body) : body;
    const text = typeof body === 'string' ? body : decodeUtf8(body);
    return eventFromRoot(parseJsonObject(text), raw, options);
  });
}

/**
 * `parseEvent` of a body whose JSON is already parsed (`parsed` is what `JSON.parse` returned for `raw`,
 * unchanged): the worker's way to reuse the root ingest parsed. Same checks, same reasons.
 */
export function parseParsedEvent(
  parsed: JsonRecord,
  raw: Uint8Array,
  options: ParseEventOptions = {},
): ParseEventResult {
  return rejectionToResult(() => eventFromRoot(parsed, raw, options));
}

function rejectionToResult(parse: () => PersonaEvent): ParseEventResult {
  try {
    return { ok: true, event: parse() };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.reason };
    // Unreachable by design; kept so a bug here can never turn into an unhandled throw on attacker input.
    return { ok: false, reason: 'body could not be parsed' };
  }
}

function eventFromRoot(parsed: JsonRecord, raw: Uint8Array, options: ParseEventOptions): PersonaEvent {
  // A copy: `parsed` itself is never changed, so whoever else holds it reads the same JSON.
  const root = normalise(parsed);
  // The envelope exactly as ingest read it (same checks, same reasons), so the worker keys and orders an
  // event by the very fields its row was stored under.
  const envelope = readEnvelope(parsed, options);

  const attributes = requireRecord(requireRecord(root, 'data', 'data'), 'attributes', 'data.attributes');
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

  const { id, name, createdAt, createdAtMs, inquiryId, accountId, referenceId } = envelope;
  const event: PersonaEvent = {
    id,
    name,
    createdAt,
    createdAtMs,
    object,
    included,
    inquiryId,
    accountId,
    referenceId,
    raw,
  };
  if (isRecord(attributes['context'])) event.context = attributes['context'];
  return event;
}

function normalise(parsed: JsonRecord): JsonRecord {
  try {
    return camelizeKeys(parsed, MAX_NESTING_DEPTH) as JsonRecord;
  } catch (error) {
    if (error instanceof KeyDepthError)
      throw new Rejection(`body nests deeper than ${MAX_NESTING_DEPTH} levels`);
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
