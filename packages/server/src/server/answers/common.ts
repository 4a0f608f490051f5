/** Pieces every answer schema uses. */
import { z } from 'zod';

/** An ISO 8601 UTC time as the API writes it (`2026-12-02T14:03:07.000Z`). */
export const isoTime = z.iso.datetime().describe('ISO 8601, UTC.');
export const nullableTime = isoTime.nullable();

/** A page's cursor: pass it back as `cursor` for the next page; null on the last. */
export const nextCursor = z.string().nullable().describe("The next page's `cursor`; null on the last page.");
