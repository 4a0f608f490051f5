/**
 * The opaque cursor of the lists ordered newest first by a time, ties broken by an id (events by
 * received-at, users by their decision's change): the (time, id) keyset position of the last row of a
 * page, as base64url JSON. Dialect-neutral, so every store and list shares the format.
 */
import { InvalidCursorError } from '../../errors.js';

/** Where the next page starts (exclusive), in newest-first order. */
export interface KeysetCursor {
  /** The last row's time (received-at of an event, changed-at of a decision), epoch ms. */
  atMs: number;
  id: string;
}

/** Encodes the position after `last`. */
export function encodeKeysetCursor(last: KeysetCursor): string {
  return Buffer.from(JSON.stringify([last.atMs, last.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor from `encodeKeysetCursor`; throws `InvalidCursorError` on anything else. */
export function decodeKeysetCursor(cursor: string): KeysetCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [atMs, id] = parsed as unknown[];
  if (typeof atMs !== 'number' || !Number.isSafeInteger(atMs) || typeof id !== 'string') {
    throw new InvalidCursorError();
  }
  return { atMs, id };
}
