/**
 * The opaque `listEvents` cursor: the (received-at, id) keyset position of the last row of a page,
 * as base64url JSON. Dialect-neutral, so any store can share the format.
 */
import { InvalidCursorError } from '../errors.js';

/** Where the next page starts (exclusive), newest-received-first order. */
export interface EventCursor {
  receivedAtMs: number;
  id: string;
}

/** Encodes the position after `last`. */
export function encodeEventCursor(last: EventCursor): string {
  return Buffer.from(JSON.stringify([last.receivedAtMs, last.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor from `encodeEventCursor`; throws `InvalidCursorError` on anything else. */
export function decodeEventCursor(cursor: string): EventCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [receivedAtMs, id] = parsed as unknown[];
  if (typeof receivedAtMs !== 'number' || !Number.isSafeInteger(receivedAtMs) || typeof id !== 'string') {
    throw new InvalidCursorError();
  }
  return { receivedAtMs, id };
}
