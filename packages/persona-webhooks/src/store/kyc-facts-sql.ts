/**
 * The SQL of the KYC facts beyond inquiries and verifications (cases, reports, accounts) and of the
 * stored decision, one text for both stores (`@name` placeholders: SQLite binds them as they are,
 * PostgreSQL renders them with `named-params.ts`). Every parameter is cast where PostgreSQL could not
 * infer its type. Like the inquiry upsert, each fact upsert is newest-wins on (created-at, event id)
 * for its state columns and first-known-wins for the identifiers that tie it to a user, so facts
 * converge whatever order events are processed in.
 */
import type { AccountStatusUpdate, CaseStatusUpdate, ReportStatusUpdate } from '../kyc/projection-update.js';

/** The tables these statements name, schema-qualified where needed. */
export interface KycTables {
  inquiries: string;
  cases: string;
  reports: string;
  accounts: string;
  decisions: string;
}

/** The plain names (SQLite, or PostgreSQL under its search_path). */
export const PLAIN_KYC_TABLES: KycTables = Object.freeze({
  inquiries: 'inquiries',
  cases: 'cases',
  reports: 'reports',
  accounts: 'accounts',
  decisions: 'kyc_decisions',
});

interface FactShape {
  table: string;
  key: string;
  /** Replaced together, and only by a newer event that carries state. */
  state: readonly string[];
  /** Kept once known, never cleared. */
  identity: readonly string[];
}

/**
 * An upsert whose state columns move only forward in (status_at_ms, status_event_id); an update
 * without state carries ('', 0) and never wins. The WHERE skips no-op updates.
 */
function factUpsertSql({ table, key, state, identity }: FactShape): string {
  const columns = [key, ...identity, ...state, 'status_at_ms', 'status_event_id', 'updated_at_ms'];
  const newer = `(EXCLUDED.status_event_id <> ''
    AND (EXCLUDED.status_at_ms, EXCLUDED.status_event_id) > (f.status_at_ms, f.status_event_id))`;
  const sets = [
    ...[...state, 'status_at_ms', 'status_event_id'].map(
      (c) => `${c} = CASE WHEN ${newer} THEN EXCLUDED.${c} ELSE f.${c} END`,
    ),
    ...identity.map((c) => `${c} = COALESCE(f.${c}, EXCLUDED.${c})`),
    'updated_at_ms = EXCLUDED.updated_at_ms',
  ];
  const identityGained = identity.map((c) => `(f.${c} IS NULL AND EXCLUDED.${c} IS NOT NULL)`);
  return `INSERT INTO ${table} AS f (${columns.join(', ')})
VALUES (${columns.map((c) => `@${c}`).join(', ')})
ON CONFLICT (${key}) DO UPDATE SET ${sets.join(',\n  ')}
WHERE ${[newer, ...identityGained].join('\n  OR ')}`;
}

/** The statements of one set of tables, rendered once. */
export function kycFactStatements(t: KycTables) {
  return {
    upsertCase: factUpsertSql({
      table: t.cases,
      key: 'case_id',
      state: ['status', 'resolution', 'resolved_at_ms'],
      identity: ['reference_id', 'account_id', 'inquiry_id', 'redacted_at_ms'],
    }),
    upsertReport: factUpsertSql({
      table: t.reports,
      key: 'report_id',
      state: ['status', 'has_match', 'is_continuous'],
      identity: ['report_type', 'reference_id', 'account_id', 'inquiry_id'],
    }),
    upsertAccount: factUpsertSql({
      table: t.accounts,
      key: 'account_id',
      state: ['status'],
      identity: ['reference_id', 'redacted_at_ms'],
    }),
    /** The stored identifiers of a case or report (ids are distinct across the two). */
    factIdentity: `SELECT reference_id, account_id, inquiry_id FROM ${t.cases} WHERE case_id = CAST(@id AS TEXT)
UNION ALL SELECT reference_id, account_id, inquiry_id FROM ${t.reports} WHERE report_id = CAST(@id AS TEXT)`,
    /** Every fact of one user as one row shape (see {@link FactRow}), in one round trip. */
    userFacts: userFactsSql(t),
    getDecision: `SELECT decision, reasons FROM ${t.decisions} WHERE reference_id = CAST(@reference_id AS TEXT)`,
    upsertDecision: `INSERT INTO ${t.decisions} AS d (reference_id, decision, reasons, event_id, updated_at_ms)
VALUES (@reference_id, @decision, @reasons, @event_id, @now_ms)
ON CONFLICT (reference_id) DO UPDATE SET decision = EXCLUDED.decision, reasons = EXCLUDED.reasons,
  event_id = EXCLUDED.event_id, updated_at_ms = EXCLUDED.updated_at_ms`,
    countDecisions: `SELECT decision, count(*) AS n FROM ${t.decisions} GROUP BY decision`,
    /** Every user some fact names: the rebuild recomputes each one's decision. */
    allReferences: `SELECT reference_id FROM ${t.inquiries} WHERE reference_id IS NOT NULL
UNION SELECT reference_id FROM ${t.accounts} WHERE reference_id IS NOT NULL
UNION SELECT reference_id FROM ${t.cases} WHERE reference_id IS NOT NULL
UNION SELECT reference_id FROM ${t.reports} WHERE reference_id IS NOT NULL
ORDER BY 1`,
  };
}

/** Statements of {@link kycFactStatements}. */
export type KycFactStatements = ReturnType<typeof kycFactStatements>;

/** Which inquiries and accounts are one user's; `ref` is the SQL of the reference id parameter. */
function userScope(t: KycTables, ref: string) {
  const inquiries = `SELECT inquiry_id FROM ${t.inquiries} WHERE reference_id = ${ref}`;
  const accounts = `SELECT account_id FROM ${t.accounts} WHERE reference_id = ${ref}
    UNION SELECT account_id FROM ${t.inquiries} WHERE reference_id = ${ref} AND account_id IS NOT NULL`;
  const owned = `reference_id = ${ref} OR account_id IN (${accounts}) OR inquiry_id IN (${inquiries})`;
  return { inquiries, accounts, owned };
}

/**
 * The ids of one user's cases, reports and accounts, as `userFacts` finds them: a user's timeline
 * holds the events of these objects, which carry neither the user's reference id nor an inquiry id
 * (a case relates to lists of inquiries and accounts; a monitored report re-run, to the account only).
 * `ref` is the SQL of the reference id parameter in the caller's dialect.
 */
export function userObjectIdsSql(t: KycTables, ref: string): string {
  const scope = userScope(t, ref);
  return `SELECT case_id FROM ${t.cases} WHERE ${scope.owned}
  UNION SELECT report_id FROM ${t.reports} WHERE ${scope.owned}
  UNION ${scope.accounts}`;
}

/**
 * Every fact of the user whose reference id is the SQL expression `ref`: a parameter for one user, or a
 * column of a LATERAL join for many (PostgreSQL's decide pass).
 */
export function userFactsSql(t: KycTables, ref = 'CAST(@reference_id AS TEXT)'): string {
  const { inquiries: userInquiries, accounts: userAccounts } = userScope(t, ref);
  const text = 'CAST(NULL AS TEXT)';
  const int = 'CAST(NULL AS BIGINT)';
  return `SELECT 'inquiry' AS kind, inquiry_id AS id, ${text} AS report_type, account_id, ${text} AS inquiry_id,
  status, ${text} AS resolution, ${int} AS has_match, ${int} AS is_continuous, status_at_ms, status_event_id,
  inquiry_created_at_ms AS time_a, redacted_at_ms AS time_b, ${text} AS reference_id
FROM ${t.inquiries} WHERE reference_id = ${ref}
UNION ALL
SELECT 'case', case_id, ${text}, account_id, inquiry_id, status, resolution, ${int}, ${int}, status_at_ms,
  status_event_id, resolved_at_ms, redacted_at_ms, reference_id
FROM ${t.cases} WHERE reference_id = ${ref} OR account_id IN (${userAccounts}) OR inquiry_id IN (${userInquiries})
UNION ALL
SELECT 'report', report_id, report_type, account_id, inquiry_id, status, ${text}, has_match, is_continuous,
  status_at_ms, status_event_id, ${int}, ${int}, reference_id
FROM ${t.reports} WHERE reference_id = ${ref} OR account_id IN (${userAccounts}) OR inquiry_id IN (${userInquiries})
UNION ALL
SELECT 'account', account_id, ${text}, ${text}, ${text}, status, ${text}, ${int}, ${int}, status_at_ms,
  status_event_id, ${int}, redacted_at_ms, reference_id
FROM ${t.accounts} WHERE account_id IN (${userAccounts})`;
}

/** SQLite stores booleans as 0/1; so does PostgreSQL here (smallint), so the text is shared. */
function flag(value: boolean | null): number | null {
  return value === null ? null : value ? 1 : 0;
}

/** ('', 0) for an update that carries no state: it records identifiers only. */
function stateKey(hasState: boolean, statusAtMs: number, eventId: string) {
  return hasState
    ? { status_at_ms: statusAtMs, status_event_id: eventId }
    : { status_at_ms: 0, status_event_id: '' };
}

/** Parameters of `upsertCase`. */
export function caseParams(u: CaseStatusUpdate, nowMs: number) {
  return {
    case_id: u.caseId,
    reference_id: u.referenceId,
    account_id: u.accountId,
    inquiry_id: u.inquiryId,
    redacted_at_ms: u.redactedAtMs,
    status: u.status,
    resolution: u.resolution,
    resolved_at_ms: u.resolvedAtMs,
    ...stateKey(u.status !== null || u.resolution !== null, u.statusAtMs, u.eventId),
    updated_at_ms: nowMs,
  };
}

/** Parameters of `upsertReport`. */
export function reportParams(u: ReportStatusUpdate, nowMs: number) {
  return {
    report_id: u.reportId,
    report_type: u.reportType,
    reference_id: u.referenceId,
    account_id: u.accountId,
    inquiry_id: u.inquiryId,
    status: u.status,
    has_match: flag(u.hasMatch),
    is_continuous: flag(u.isContinuous),
    ...stateKey(u.status !== null || u.hasMatch !== null, u.statusAtMs, u.eventId),
    updated_at_ms: nowMs,
  };
}

/** Parameters of `upsertAccount`. */
export function accountParams(u: AccountStatusUpdate, nowMs: number) {
  return {
    account_id: u.accountId,
    reference_id: u.referenceId,
    redacted_at_ms: u.redactedAtMs,
    status: u.status,
    ...stateKey(u.status !== null, u.statusAtMs, u.eventId),
    updated_at_ms: nowMs,
  };
}
