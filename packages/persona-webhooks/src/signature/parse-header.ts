/**
 * Parses a `Persona-Signature` header value. Pure, and free of `node:` imports so the Web verifier can use it.
 *
 * Format: `t=<unix seconds>,v1=<64 hex>`; during secret rotation several such sets separated by spaces.
 * Each set is checked against its own `t`, so sets are kept apart (sets sharing one `t` are merged, which
 * lets the verifier compute each HMAC once).
 */

/** Longer headers are refused unparsed: Persona's are under 200 characters. */
export const MAX_HEADER_LENGTH = 8 * 1024;

/**
 * Persona sends one set, two during rotation. The cap bounds the HMAC work one request can cause
 * (each distinct `t` costs a pass over the body per secret), so a crafted header cannot multiply it.
 */
export const MAX_SIGNATURE_SETS = 8;

/** Bounds the `crypto.subtle.verify` calls (one per signature) a single header can trigger. */
export const MAX_SIGNATURES = 16;

/** One timestamp and the `v1` signatures made with it. */
export interface SignatureSet {
  /** `t` exactly as sent: the HMAC covers these characters, so it is never re-formatted. */
  readonly rawTimestamp: string;
  /** `t` as a number of unix seconds. */
  readonly timestamp: number;
  /** Each `v1` as 64 lower-case hex characters (accepted in either case). */
  readonly signatures: readonly string[];
}

/**
 * A `v1` value: 64 hex digits followed by a delimiter or the end. Sticky, so it is matched in place at the
 * value's offset; the regular-expression engine validates 64 characters far faster than a JS loop.
 */
const V1_VALUE = /[0-9a-fA-F]{64}(?=[, \t]|$)/y;
const V1_LENGTH = 64;
/** Longer digit strings may exceed `Number.MAX_SAFE_INTEGER`; those are checked with `isSafeInteger`. */
const SAFE_DIGITS = 15;
const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;

/** A set under construction. */
interface RawSet {
  rawTimestamp: string | undefined;
  signatures: string[];
  /** False once an element made the set unusable (bad `t`, second `t`, bad `v1`). */
  usable: boolean;
}

/** A finished set, still open for merging sets that share its `t`. */
interface MutableSet extends SignatureSet {
  readonly signatures: string[];
}

/**
 * Splits a header value into its usable signature sets, or returns `null` when it is malformed.
 *
 * Sets are separated by runs of spaces or tabs, elements within a set by commas. A set is usable when it
 * has exactly one `t` (digits only, a safe integer) and at least one `v1`, all of them 64 hex characters
 * (either case; returned lower-cased). Keys are case-insensitive; unknown keys (`v0=`, `v2=`, …) and
 * elements without a key are ignored so Persona can add schemes. Unusable sets are skipped; the header is
 * malformed when none is usable, when it is longer than {@link MAX_HEADER_LENGTH}, or when it holds more
 * than {@link MAX_SIGNATURE_SETS} sets or {@link MAX_SIGNATURES} signatures.
 *
 * It runs on every request before the HMAC, so it walks the string once by character code (no split, no
 * substrings but the values it keeps): that keeps it a small fraction of the cost of hashing a body.
 *
 * @example
 * parseSignatureHeader('t=1700000000,v1=' + 'ab'.repeat(32));
 * // → [{ rawTimestamp: '1700000000', timestamp: 1700000000, signatures: ['abab…ab'] }]
 */
export function parseSignatureHeader(header: string): SignatureSet[] | null {
  if (header.length > MAX_HEADER_LENGTH) return null;
  const sets: MutableSet[] = [];
  let setCount = 0;
  let signatureCount = 0;
  let i = 0;
  for (;;) {
    while (i < header.length && isBlank(header.charCodeAt(i))) i++;
    if (i === header.length) break;
    if (++setCount > MAX_SIGNATURE_SETS) return null;
    const set: RawSet = { rawTimestamp: undefined, signatures: [], usable: true };
    i = readSet(header, i, set);
    if (!set.usable || set.rawTimestamp === undefined || set.signatures.length === 0) continue;
    signatureCount += set.signatures.length;
    if (signatureCount > MAX_SIGNATURES) return null;
    addSet(sets, set.rawTimestamp, set.signatures);
  }
  return sets.length === 0 ? null : sets;
}

/** Sets sharing a `t` are merged: one HMAC per secret then covers all their signatures. */
function addSet(sets: MutableSet[], rawTimestamp: string, signatures: string[]): void {
  const existing = sets.find((set) => set.rawTimestamp === rawTimestamp);
  if (existing) existing.signatures.push(...signatures);
  else sets.push({ rawTimestamp, timestamp: Number(rawTimestamp), signatures });
}

/** Reads comma-separated elements from `start` into `set` until a blank or the end; returns where it stopped. */
function readSet(header: string, start: number, set: RawSet): number {
  let i = start;
  for (;;) {
    let end = i;
    while (end < header.length && !isDelimiterOrEquals(header.charCodeAt(end))) end++;
    if (set.usable && end > i && header.charCodeAt(end) === EQUALS) end = readValue(header, i, end, set);
    // Whatever readValue did not consume (an unknown key's value, or garbage after a bad one).
    while (end < header.length && !isDelimiter(header.charCodeAt(end))) end++;
    if (end === header.length || header.charCodeAt(end) !== COMMA) return end;
    i = end + 1;
  }
}

/**
 * Reads the value after the `=` at `equals` when the key is `t` or `v1`, in the same pass that validates
 * it; marks `set` unusable when the value is bad. Returns where it stopped reading.
 */
function readValue(header: string, keyStart: number, equals: number, set: RawSet): number {
  const keyLength = equals - keyStart;
  const k0 = header.charCodeAt(keyStart) | 0x20; // ASCII lower case
  let end = equals + 1;
  if (keyLength === 1 && k0 === 0x74 /* t */) {
    while (isDigit(header.charCodeAt(end))) end++;
    const raw = header.slice(equals + 1, end);
    const valid = raw.length > 0 && (raw.length <= SAFE_DIGITS || Number.isSafeInteger(Number(raw)));
    if (valid && set.rawTimestamp === undefined && atDelimiter(header, end)) set.rawTimestamp = raw;
    else set.usable = false;
  } else if (keyLength === 2 && k0 === 0x76 /* v */ && header.charCodeAt(keyStart + 1) === 0x31 /* 1 */) {
    V1_VALUE.lastIndex = end;
    if (V1_VALUE.test(header)) {
      end += V1_LENGTH;
      set.signatures.push(header.slice(end - V1_LENGTH, end).toLowerCase());
    } else {
      set.usable = false;
    }
  }
  return end;
}

function isBlank(code: number): boolean {
  return code === SPACE || code === TAB;
}

function isDelimiter(code: number): boolean {
  return code === COMMA || code === SPACE || code === TAB;
}

function isDelimiterOrEquals(code: number): boolean {
  return code === EQUALS || isDelimiter(code);
}

function atDelimiter(header: string, index: number): boolean {
  return index === header.length || isDelimiter(header.charCodeAt(index));
}

/** NaN (past the end of the string) is not a digit. */
function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
