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
 *
 * The entries live in a fixed ring of slots, cleared when taken, not in a `Map` that gains and loses
 * one per event: such a container's dead rehashed tables keep what they held alive through young
 * collections (see `pending-count.ts`). The ring's arrays are allocated once and never replaced.
 */
import type { JsonRecord } from './json-checks.js';

/** Parsed bodies kept per store at most: a few MB of heap for Persona-sized events. */
export const HANDOFF_LIMIT = 128;

/** A parsed root and the bytes it was parsed from. */
export interface ParsedBody {
  bytes: Uint8Array;
  root: JsonRecord;
}

/**
 * `HANDOFF_LIMIT` slots; `next` is the oldest slot, overwritten by the next entry left. `hashes` holds
 * each slot's id hash (`idHash`), so a lookup compares 128 integers and only a matching slot's id.
 */
interface Ring {
  ids: (string | undefined)[];
  hashes: Int32Array;
  bodies: (ParsedBody | undefined)[];
  next: number;
}

const rings = new WeakMap<object, Ring>();

/** Leaves `root`, parsed from `bytes`, for the worker that claims `eventId` from `store`. */
export function leaveParsedBody(store: object, eventId: string, bytes: Uint8Array, root: JsonRecord): void {
  let ring = rings.get(store);
  if (ring === undefined) {
    ring = {
      ids: new Array<string | undefined>(HANDOFF_LIMIT).fill(undefined),
      hashes: new Int32Array(HANDOFF_LIMIT),
      bodies: new Array<ParsedBody | undefined>(HANDOFF_LIMIT).fill(undefined),
      next: 0,
    };
    rings.set(store, ring);
  }
  // A second body under the same id replaces the first, wherever it sits.
  const earlier = slotOf(ring, eventId);
  if (earlier >= 0) clear(ring, earlier);
  const slot = ring.next;
  ring.next = (slot + 1) % HANDOFF_LIMIT;
  ring.ids[slot] = eventId;
  ring.hashes[slot] = idHash(eventId);
  ring.bodies[slot] = { bytes, root };
}

/** Withdraws the root left for `eventId` if it is still `root` (the body was not stored after all). */
export function withdrawParsedBody(store: object, eventId: string, root: JsonRecord): void {
  const ring = rings.get(store);
  if (ring === undefined) return;
  const slot = slotOf(ring, eventId);
  if (slot >= 0 && ring.bodies[slot]?.root === root) clear(ring, slot);
}

/**
 * Takes (and forgets) what was left for `eventId`. The caller uses the root only if `bytes` equal the
 * bytes it claimed (the worker compares them with `Buffer.compare`, a memcmp).
 */
export function takeParsedBody(store: object, eventId: string): ParsedBody | undefined {
  const ring = rings.get(store);
  if (ring === undefined) return undefined;
  const slot = slotOf(ring, eventId);
  if (slot < 0) return undefined;
  const entry = ring.bodies[slot];
  clear(ring, slot);
  return entry;
}

/**
 * The slot holding `eventId`, or -1. Ids are compared only where their hashes match: a leave and a take
 * cost about 0.6 µs this way, against 3.7–4.5 µs when `indexOf` compared the 128 id strings (bench ids share
 * long prefixes) — a microbenchmark of 200,000 bench-shaped ids with 60 left in the ring. The parse the
 * handoff saves is about 22 µs for Persona's 6.7 kB sample.
 */
function slotOf(ring: Ring, eventId: string): number {
  const hash = idHash(eventId);
  const { hashes, ids } = ring;
  for (let slot = 0; slot < HANDOFF_LIMIT; slot++) {
    if (hashes[slot] === hash && ids[slot] === eventId) return slot;
  }
  return -1;
}

/** FNV-1a over the id's UTF-16 code units: cheap, and spreads ids that differ only in their last characters. */
function idHash(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function clear(ring: Ring, slot: number): void {
  ring.ids[slot] = undefined;
  ring.bodies[slot] = undefined;
}
