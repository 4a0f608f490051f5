/**
 * The SQL of `listKyc`, one text for both stores (`@name` placeholders, rendered for PostgreSQL with
 * `named-params.ts`): stored decisions newest change first, keyset-paged on (updated_at_ms,
 * reference_id), which the indexes on (decision, updated_at_ms, reference_id) and (updated_at_ms,
 * reference_id) serve in that order, so a page reads its rows and stops, however many users there are.
 */

import type { KycTables } from '../facts/kyc-tables.js';
import { decodeKeysetCursor } from './keyset-cursor.js';
import type { ListKycQuery } from './read-model.js';
import { listLimit } from './row-views.js';

/** A user's current inquiry is the most recently created one; before its created-at is known, the
 * time of its latest status stands in (the order `getKyc` lists a user's inquiries in). */
export const NEWEST_INQUIRY_FIRST =
  'COALESCE(inquiry_created_at_ms, status_at_ms) DESC, status_at_ms DESC, inquiry_id DESC';

/** One `listKyc` query: its SQL, its named parameters, and the page size (the SQL asks for one more row). */
export interface KycListStatement {
  sql: string;
  params: Record<string, string | number>;
  limit: number;
}

/**
 * The statement for `query`. Throws `RangeError` for a limit outside 1–500 and `InvalidCursorError`
 * for a cursor no page gave, before anything is queried: both are the caller's error, not an outage.
 */
export function kycListStatement(t: KycTables, query: ListKycQuery): KycListStatement {
  const limit = listLimit(query);
  const conditions: string[] = [];
  const params: Record<string, string | number> = { limit: limit + 1 };
  if (query.decision !== undefined) {
    conditions.push('d.decision = CAST(@decision AS TEXT)');
    params['decision'] = query.decision;
  }
  if (query.changedSinceMs !== undefined) {
    conditions.push('d.updated_at_ms >= CAST(@since_ms AS BIGINT)');
    params['since_ms'] = query.changedSinceMs;
  }
  if (query.cursor !== undefined) {
    const after = decodeKeysetCursor(query.cursor);
    conditions.push(
      '(d.updated_at_ms, d.reference_id) < (CAST(@after_ms AS BIGINT), CAST(@after_id AS TEXT))',
    );
    params['after_ms'] = after.atMs;
    params['after_id'] = after.id;
  }
  // Two lookups per row shown (by the inquiries_reference index), not a join over every inquiry.
  const newest = (column: string) =>
    `(SELECT ${column} FROM ${t.inquiries} WHERE reference_id = d.reference_id
      ORDER BY ${NEWEST_INQUIRY_FIRST} LIMIT 1) AS ${column}`;
  const sql = `SELECT d.reference_id, d.decision, d.reasons, d.updated_at_ms, d.event_id,
  ${newest('inquiry_id')}, ${newest('status')}
FROM ${t.decisions} AS d
${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
ORDER BY d.updated_at_ms DESC, d.reference_id DESC
LIMIT CAST(@limit AS BIGINT)`;
  return { sql, params, limit };
}
