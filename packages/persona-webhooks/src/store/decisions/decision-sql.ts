/**
 * The SQL of the stored decisions, one text for both stores (`@name` placeholders, as the fact
 * upserts): read and write one user's decision, count users per decision, and walk every user an
 * anchor names (re-deciding after a policy change goes through them in batches).
 */
import type { KycTables } from '../facts/kyc-tables.js';

/** The decision statements of one set of tables, rendered once. */
export function decisionSql(t: KycTables) {
  return {
    getDecision: `SELECT decision, reasons FROM ${t.decisions} WHERE reference_id = CAST(@reference_id AS TEXT)`,
    upsertDecision: `INSERT INTO ${t.decisions} AS d (reference_id, decision, reasons, event_id, updated_at_ms)
VALUES (@reference_id, @decision, @reasons, @event_id, @now_ms)
ON CONFLICT (reference_id) DO UPDATE SET decision = EXCLUDED.decision, reasons = EXCLUDED.reasons,
  event_id = EXCLUDED.event_id, updated_at_ms = EXCLUDED.updated_at_ms`,
    countDecisions: `SELECT decision, count(*) AS n FROM ${t.decisions} GROUP BY decision`,
    /** Every user an anchor names, after `@after` in order, `@limit` at a time: re-deciding walks them. */
    referencesAfter: `SELECT reference_id FROM (
  SELECT reference_id FROM ${t.inquiries} WHERE reference_id > CAST(@after AS TEXT)
  UNION SELECT reference_id FROM ${t.accounts} WHERE reference_id > CAST(@after AS TEXT)
  UNION SELECT reference_id FROM ${t.transactions} WHERE reference_id > CAST(@after AS TEXT)
) AS r ORDER BY reference_id LIMIT @limit`,
  };
}
