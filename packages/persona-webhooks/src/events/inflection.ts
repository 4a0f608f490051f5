/**
 * Key normalisation. A Persona webhook can be configured for kebab (default), camel or snake key
 * inflection; everything downstream sees camelCase, so handlers never care which one was chosen.
 */

/** Deepest nesting `camelizeKeys` walks; Persona payloads are a few levels deep, attackers are not. */
export const MAX_KEY_DEPTH = 64;

/** Thrown by `camelizeKeys` when the value nests deeper than allowed (instead of overflowing the stack). */
export class KeyDepthError extends RangeError {
  override readonly name = 'KeyDepthError';
  constructor(readonly maxDepth: number) {
    super(`nesting deeper than ${maxDepth} levels`);
  }
}

// Keys that would reach or shadow Object.prototype if copied onto a plain object. Persona never sends them.
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// Inquiry (and account, case, transaction) field names are the customer's own: kept as sent (Persona
// stopped inflecting them in API version 2025-10-27; renaming older ones could collide with real names).
const VERBATIM_KEY = 'fields';

/**
 * `created-at` / `created_at` / `createdAt` → `createdAt`; `address-street-1` → `addressStreet1`.
 * A run of `-`/`_` between two characters is dropped and the next character upper-cased; leading and
 * trailing separators are kept, so `__typename`-style keys survive unchanged.
 *
 * @example
 * camelizeKey('api-version-less-than-minimum-count'); // 'apiVersionLessThanMinimumCount'
 */
export function camelizeKey(key: string): string {
  if (!key.includes('-') && !key.includes('_')) return key;
  return key.replace(/(?<=[^_-])[_-]+([^_-])/g, (_match, next: string) => next.toUpperCase());
}

/**
 * What `walk` writes a key as: its camelCase, or null to drop it (an unsafe key, or one that becomes
 * unsafe). Persona's payloads repeat the same few hundred keys in every event, so each key's answer is
 * remembered: one lookup per key instead of two scans and three lookups, which took the walk over
 * Persona's sample from about 15 to 12.5 µs (a microbenchmark of 20,000 walks). The memory is bounded;
 * keys past the bound (an attacker's) are worked out each time.
 */
function keyOut(key: string): string | null {
  let out = keysOut.get(key);
  if (out === undefined) {
    const camel = camelizeKey(key);
    out = UNSAFE_KEYS.has(key) || UNSAFE_KEYS.has(camel) ? null : camel;
    if (keysOut.size < KEYS_OUT_LIMIT) keysOut.set(key, out);
  }
  return out;
}

const KEYS_OUT_LIMIT = 4096;
// Only ever grows, up to the bound: never a table that gains and loses entries (see `pending-count.ts`).
const keysOut = new Map<string, string | null>();

/**
 * Returns a deep copy of a parsed JSON value with every object key in camelCase. Values are never
 * changed (object type names such as `inquiry-session` are values); the keys under any `fields` key are
 * kept exactly as sent (its depth is still checked). `__proto__`, `constructor` and `prototype` keys
 * are dropped everywhere, `fields` included.
 *
 * @throws {KeyDepthError} when objects and arrays nest deeper than `maxDepth`, anywhere.
 * @example
 * camelizeKeys({ 'reference-id': 'abc', fields: { 'name-first': { value: 'Jane' } } });
 * // { referenceId: 'abc', fields: { 'name-first': { value: 'Jane' } } }
 */
export function camelizeKeys(value: unknown, maxDepth: number = MAX_KEY_DEPTH): unknown {
  return walk(value, 0, maxDepth);
}

// for…in and index loops rather than Object.entries/map: this runs over every key of every event, and
// the intermediate arrays were a measurable share of ingest CPU.
function walk(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) throw new KeyDepthError(maxDepth);
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = walk(value[i], depth + 1, maxDepth);
    return copy;
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const camel = keyOut(key);
    if (camel === null) continue;
    const child = record[key];
    if (camel === VERBATIM_KEY) {
      out[camel] = copyVerbatim(child, depth + 1, maxDepth);
    } else {
      out[camel] = walk(child, depth + 1, maxDepth);
    }
  }
  return out;
}

/**
 * A subtree whose keys are kept as sent (`fields`): copied with the same depth rule and the same unsafe
 * keys dropped as everywhere else. Kept as parsed, a `__proto__` key there was an own property that a
 * handler's `Object.assign({}, fields)` turned into the target's prototype.
 */
function copyVerbatim(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) throw new KeyDepthError(maxDepth);
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyVerbatim(value[i], depth + 1, maxDepth);
    return copy;
  }
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in record) {
    if (!Object.hasOwn(record, key) || UNSAFE_KEYS.has(key)) continue;
    out[key] = copyVerbatim(record[key], depth + 1, maxDepth);
  }
  return out;
}
