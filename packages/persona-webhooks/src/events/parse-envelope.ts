/**
 * What ingest needs from a body, and no more: the envelope's keys (event id, name, created-at, the
 * object's type and id, the related inquiry and account, the reference id) read straight from the parsed
 * JSON in whichever key inflection the webhook uses. Nothing is copied or renamed: full normalisation
 * (`parseEvent`) runs once, in the worker, which marks the event dead if the rest of the body is unusable.
 * Ingest therefore pays for one `JSON.parse` and a few property reads per event.
 */
import {
  checkIdentifier,
  decodeUtf8,
  isRecord,
  type JsonRecord,
  ownValue,
  parseJsonObject,
  parseTimestamp,
  Rejection,
  requireIdentifier,
  requireRecord,
  requireString,
} from './json-checks.js';
import { MAX_ID_CHARS, MAX_NAME_CHARS } from './limits.js';
import type { Relationship } from './objects/persona-object.js';
import { relatedId } from './relationships.js';

/** Options of `parseEvent` and {@link parseEnvelope}: the envelope check is where `created-at` is read. */
export interface ParseEventOptions {
  /**
   * Latest acceptable `created-at`, in epoch ms. The pipeline passes now + 5 minutes: an event dated
   * further ahead would win the newest-first KYC rule until that date. Default: no bound.
   */
  createdAtNotAfterMs?: number;
}

/** The fields of an event the inbox keys, orders and looks up by. */
export interface EventEnvelope {
  /** `evt_…`, the deduplication key. */
  id: string;
  /** e.g. `inquiry.approved`. */
  name: string;
  /** As sent (ISO 8601). */
  createdAt: string;
  createdAtMs: number;
  /** `data.attributes.payload.data.type`, e.g. `inquiry`. */
  objectType: string;
  objectId: string;
  inquiryId: string | null;
  accountId: string | null;
  /** The integrator's user id (`reference-id`) when the object carries one. */
  referenceId: string | null;
}

/** The outcome of `parseEnvelope`. */
export type ParseEnvelopeResult =
  | {
      ok: true;
      envelope: EventEnvelope;
      /** The whole parsed body, as `JSON.parse` returned it: the worker reuses it (`parsed-handoff.ts`). */
      root: JsonRecord;
    }
  | { ok: false; reason: string };

// The two keys ingest reads that have more than one word, in each inflection Persona offers (kebab first:
// it is the default).
const CREATED_AT = ['created-at', 'created_at', 'createdAt'] as const;
const REFERENCE_ID = ['reference-id', 'reference_id', 'referenceId'] as const;

/**
 * The object types whose documented attributes carry `reference-id` (Persona's API reference: Inquiry,
 * Account and Transaction objects). A reference id on any other object (a case, a report) is not
 * Persona's and never ties it to a user. The one rule for a body that spells it twice
 * (`reference-id` and `referenceId`) is {@link inflected}'s: the first spelling of {@link REFERENCE_ID}
 * present wins; the inbox's column and the KYC facts both read it from here (`PersonaEvent.referenceId`).
 */
const REFERENCE_ID_TYPES: ReadonlySet<string> = new Set(['inquiry', 'account', 'transaction']);

/** The longest reference id kept in its index column; a longer one is left out of the index, not refused. */
const MAX_REFERENCE_ID_CHARS = 1_000;

/**
 * Reads an event's envelope with the same checks `parseEvent` applies to those fields, and the same
 * reasons (`data.id is missing`, `data.attributes.created-at is in the future`, …). Never throws.
 *
 * @example
 * const parsed = parseEnvelope(rawBody, { createdAtNotAfterMs: Date.now() + 300_000 });
 * if (parsed.ok) console.log(parsed.envelope.id, parsed.envelope.name);
 */
export function parseEnvelope(body: Uint8Array, options: ParseEventOptions = {}): ParseEnvelopeResult {
  try {
    const root = parseJsonObject(decodeUtf8(body));
    return { ok: true, envelope: readEnvelope(root, options), root };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, reason: error.reason };
    // Unreachable by design; kept so a bug here can never turn into an unhandled throw on attacker input.
    return { ok: false, reason: 'body could not be parsed' };
  }
}

/** The envelope of a parsed body; throws `Rejection`. `parseEvent` reads its envelope with it too. */
export function readEnvelope(root: JsonRecord, options: ParseEventOptions): EventEnvelope {
  const data = requireRecord(root, 'data', 'data');
  const type = ownValue(data, 'type');
  if (type !== undefined && type !== 'event') throw new Rejection('data.type is not "event"');
  const id = requireIdentifier(data, 'id', 'data.id', MAX_ID_CHARS);
  const attributes = requireRecord(data, 'attributes', 'data.attributes');
  const name = requireIdentifier(attributes, 'name', 'data.attributes.name', MAX_NAME_CHARS);
  const createdAt = requireString(
    attributes,
    inflected(attributes, CREATED_AT),
    'data.attributes.created-at',
  );
  const createdAtMs = parseTimestamp(createdAt);
  if (createdAtMs === null) throw new Rejection('data.attributes.created-at is not an ISO 8601 timestamp');
  if (options.createdAtNotAfterMs !== undefined && createdAtMs > options.createdAtNotAfterMs) {
    throw new Rejection('data.attributes.created-at is in the future');
  }

  const payload = requireRecord(attributes, 'payload', 'data.attributes.payload');
  const path = 'data.attributes.payload.data';
  const object = requireRecord(payload, 'data', path);
  const objectType = requireIdentifier(object, 'type', `${path}.type`, MAX_NAME_CHARS);
  const objectId = requireIdentifier(object, 'id', `${path}.id`, MAX_ID_CHARS);
  const relationships = ownValue(object, 'relationships');
  const related = isRecord(relationships) ? (relationships as Record<string, Relationship>) : undefined;
  const inquiryId = objectType === 'inquiry' ? objectId : relatedId(related, 'inquiry');
  const accountId = objectType === 'account' ? objectId : relatedId(related, 'account');
  checkIdentifier(inquiryId, 'the related inquiry id', MAX_ID_CHARS);
  checkIdentifier(accountId, 'the related account id', MAX_ID_CHARS);

  const objectAttributes = ownValue(object, 'attributes');
  const reference =
    REFERENCE_ID_TYPES.has(objectType) && isRecord(objectAttributes)
      ? ownValue(objectAttributes, inflected(objectAttributes, REFERENCE_ID))
      : undefined;
  const referenceId =
    typeof reference === 'string' && reference.length > 0 && reference.length <= MAX_REFERENCE_ID_CHARS
      ? reference
      : null;
  return { id, name, createdAt, createdAtMs, objectType, objectId, inquiryId, accountId, referenceId };
}

/** The spelling of a key this record uses (the first one present), or the first spelling when none is. */
function inflected(record: JsonRecord, spellings: readonly [string, ...string[]]): string {
  return spellings.find((key) => Object.hasOwn(record, key)) ?? spellings[0];
}
