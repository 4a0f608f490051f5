/**
 * The SQL of the KYC facts beyond inquiries and verifications (transactions, cases, reports, accounts,
 * the links between them), of which objects are whose, and of the stored decision, one text for both stores (`@name` placeholders: SQLite binds them as they are,
 * PostgreSQL renders them with `named-params.ts`). Every parameter is cast where PostgreSQL could not
 * infer its type. Like the inquiry upsert, each fact upsert is newest-wins on (created-at, event id)
 * for its state columns and first-known-wins for the identifiers that tie it to a user, so facts
 * converge whatever order events are processed in.
 */
import type {
  AccountStatusUpdate,
  CaseStatusUpdate,
  LinksUpdate,
  ReportStatusUpdate,
  TransactionStatusUpdate,
} from '../../kyc/projection-update.js';

/** The tables these statements name, schema-qualified where needed. */
export interface KycTables {
  inquiries: string;
  transactions: string;
  cases: string;
  reports: string;
  accounts: string;
  links: string;
  decisions: string;
}

/** The plain names (SQLite, or PostgreSQL under its search_path). */
export const PLAIN_KYC_TABLES: KycTables = Object.freeze({
  inquiries: 'inquiries',
  transactions: 'transactions',
  cases: 'cases',
  reports: 'reports',
  accounts: 'accounts',
  links: 'kyc_links',
  decisions: 'kyc_decisions',
});

/** The two SQL dialects the shared statements are rendered for. */
export type KycDialect = 'sqlite' | 'postgres';

/** SQLite's CROSS JOIN keeps the written order (see `ownershipCtes`); PostgreSQL plans its joins. */
function joinWord(dialect: KycDialect): string {
  return dialect === 'sqlite' ? 'CROSS JOIN' : 'JOIN';
}

/**
 * The first id a case or report is linked to of one kind, for display (`accountId`, `inquiryId`): the
 * smallest in byte order, so it never depends on which event arrived first, and is the same on both
 * dialects (PostgreSQL compares text by its database collation unless told to use bytes).
 */
function firstLinkedSql(t: KycTables, objectId: string, kind: string, dialect: KycDialect): string {
  const bytes = dialect === 'postgres' ? ' COLLATE "C"' : '';
  return `(SELECT min(l.related_id${bytes}) FROM ${t.links} l WHERE l.object_id = ${objectId} AND l.related_kind = '${kind}')`;
}

interface FactShape {
  table: string;
  key: string;
  /** Replaced together, and only by a newer event that carries state. */
  state: readonly string[];
  /** Kept once known, never cleared. */
  identity: readonly string[];
  /** Pairs (time, event id) that keep the greatest value ever sent, whatever came after. */
  greatest?: readonly (readonly [string, string])[];
}

/**
 * An upsert whose state columns move only forward in (status_at_ms, status_event_id); an update
 * without state carries ('', 0) and never wins. The WHERE skips no-op updates.
 */
function factUpsertSql({ table, key, state, identity, greatest = [] }: FactShape): string {
  const kept = greatest.flat();
  const columns = [key, ...identity, ...state, ...kept, 'status_at_ms', 'status_event_id', 'updated_at_ms'];
  const newer = `(EXCLUDED.status_event_id <> ''
    AND (EXCLUDED.status_at_ms, EXCLUDED.status_event_id) > (f.status_at_ms, f.status_event_id))`;
  const greater = greatest.map(
    ([at, id]) => `(EXCLUDED.${at} IS NOT NULL
    AND (f.${at} IS NULL OR (EXCLUDED.${at}, EXCLUDED.${id}) > (f.${at}, f.${id})))`,
  );
  const sets = [
    ...[...state, 'status_at_ms', 'status_event_id'].map(
      (c) => `${c} = CASE WHEN ${newer} THEN EXCLUDED.${c} ELSE f.${c} END`,
    ),
    ...greatest.flatMap((pair, i) =>
      pair.map((c) => `${c} = CASE WHEN ${greater[i]} THEN EXCLUDED.${c} ELSE f.${c} END`),
    ),
    ...identity.map((c) => `${c} = COALESCE(f.${c}, EXCLUDED.${c})`),
    'updated_at_ms = EXCLUDED.updated_at_ms',
  ];
  const identityGained = identity.map((c) => `(f.${c} IS NULL AND EXCLUDED.${c} IS NOT NULL)`);
  return `INSERT INTO ${table} AS f (${columns.join(', ')})
VALUES (${columns.map((c) => `@${c}`).join(', ')})
ON CONFLICT (${key}) DO UPDATE SET ${sets.join(',\n  ')}
WHERE ${[newer, ...greater, ...identityGained].join('\n  OR ')}`;
}

/** The statements of one set of tables, rendered once. */
export function kycFactStatements(t: KycTables) {
  return {
    upsertTransaction: factUpsertSql({
      table: t.transactions,
      key: 'transaction_id',
      state: ['status'],
      identity: ['reference_id', 'transaction_created_at_ms', 'redacted_at_ms'],
    }),
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
      greatest: [
        ['match_at_ms', 'match_event_id'],
        ['cleared_at_ms', 'cleared_event_id'],
      ],
    }),
    upsertAccount: factUpsertSql({
      table: t.accounts,
      key: 'account_id',
      state: ['status'],
      identity: ['reference_id', 'redacted_at_ms'],
    }),
    /** One link in one direction; links are only ever added. */
    insertLink: `INSERT INTO ${t.links} (object_id, related_id, object_kind, related_kind)
VALUES (@object_id, @related_id, @object_kind, @related_kind) ON CONFLICT (object_id, related_kind, related_id) DO NOTHING`,
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

/**
 * Which objects are each user's, as CTEs over `refs(owner)` (the SELECT `refsSql`): `anchors` (the
 * inquiries, accounts and transactions whose reference id is the user's — the only objects whose
 * documented attributes carry one), `spine` (the anchors, the accounts and transactions linked to them
 * — an inquiry's account is its row's `account_id`, not a link — and the inquiries linked to an anchor
 * transaction), `user_reports` (linked to the spine) and
 * `user_cases` (linked to the spine or to those reports). On SQLite every join is a CROSS JOIN, which it
 * never reorders: left to itself, without table statistics, its planner scanned whole indexes and
 * probed the few users.
 */
function ownershipCtes(t: KycTables, refsSql: string, dialect: KycDialect): string {
  const join = joinWord(dialect);
  return `refs(owner) AS (${refsSql}),
anchors(owner, id, kind) AS MATERIALIZED (
  SELECT r.owner, i.inquiry_id, 'inquiry' FROM refs r ${join} ${t.inquiries} i ON i.reference_id = r.owner
  UNION SELECT r.owner, a.account_id, 'account' FROM refs r ${join} ${t.accounts} a ON a.reference_id = r.owner
  UNION SELECT r.owner, x.transaction_id, 'transaction' FROM refs r ${join} ${t.transactions} x
    ON x.reference_id = r.owner),
spine(owner, id, kind) AS MATERIALIZED (
  SELECT owner, id, kind FROM anchors
  UNION SELECT a.owner, l.related_id, l.related_kind FROM anchors a ${join} ${t.links} l ON l.object_id = a.id
    WHERE l.related_kind IN ('account', 'transaction') OR (l.related_kind = 'inquiry' AND a.kind = 'transaction')
  UNION SELECT a.owner, i.account_id, 'account' FROM anchors a ${join} ${t.inquiries} i ON i.inquiry_id = a.id
    WHERE a.kind = 'inquiry' AND i.account_id IS NOT NULL),
user_reports(owner, id) AS MATERIALIZED (
  SELECT DISTINCT s.owner, l.related_id FROM spine s ${join} ${t.links} l ON l.object_id = s.id
    WHERE l.related_kind = 'report'),
user_cases(owner, id) AS (
  SELECT s.owner, l.related_id FROM spine s ${join} ${t.links} l ON l.object_id = s.id WHERE l.related_kind = 'case'
  UNION SELECT r.owner, l.related_id FROM user_reports r ${join} ${t.links} l ON l.object_id = r.id
    WHERE l.related_kind = 'case')`;
}

/**
 * The ids of one user's objects (`ref`: the SQL of the reference id parameter in the caller's
 * dialect): a user's timeline holds the events of these, which need not carry the user's reference id
 * (a case relates to lists of inquiries and accounts; a monitored report re-run, to the account only).
 */
export function userObjectIdsSql(t: KycTables, ref: string, dialect: KycDialect): string {
  return `WITH ${ownershipCtes(t, `SELECT CAST(${ref} AS TEXT)`, dialect)}
SELECT id FROM spine UNION SELECT id FROM user_reports UNION SELECT id FROM user_cases`;
}

/**
 * Every fact of each user `refsSql` (a SELECT of one column) names, one {@link OwnedFactRow} shape for
 * every kind, in one statement.
 */
export function manyUserFactsSql(t: KycTables, refsSql: string, dialect: KycDialect): string {
  const join = joinWord(dialect);
  const text = 'CAST(NULL AS TEXT)';
  const int = 'CAST(NULL AS BIGINT)';
  const noMatch = `${int}, ${text}, ${int}, ${text}`;
  return `WITH ${ownershipCtes(t, refsSql, dialect)}
SELECT s.owner, 'inquiry' AS kind, i.inquiry_id AS id, ${text} AS report_type, i.account_id, ${text} AS inquiry_id,
  i.status, ${text} AS resolution, ${int} AS has_match, ${int} AS is_continuous, i.status_at_ms, i.status_event_id,
  i.inquiry_created_at_ms AS time_a, i.redacted_at_ms AS time_b, ${text} AS reference_id,
  ${int} AS match_at_ms, ${text} AS match_event_id, ${int} AS cleared_at_ms, ${text} AS cleared_event_id
FROM spine s ${join} ${t.inquiries} i ON i.inquiry_id = s.id WHERE s.kind = 'inquiry'
UNION ALL
SELECT s.owner, 'transaction', x.transaction_id, ${text}, ${text}, ${text}, x.status, ${text}, ${int}, ${int},
  x.status_at_ms, x.status_event_id, x.transaction_created_at_ms, x.redacted_at_ms, x.reference_id, ${noMatch}
FROM spine s ${join} ${t.transactions} x ON x.transaction_id = s.id WHERE s.kind = 'transaction'
UNION ALL
SELECT uc.owner, 'case', c.case_id, ${text}, ${firstLinkedSql(t, 'c.case_id', 'account', dialect)},
  ${firstLinkedSql(t, 'c.case_id', 'inquiry', dialect)}, c.status, c.resolution, ${int}, ${int},
  c.status_at_ms, c.status_event_id, c.resolved_at_ms, c.redacted_at_ms, c.reference_id, ${noMatch}
FROM user_cases uc ${join} ${t.cases} c ON c.case_id = uc.id
UNION ALL
SELECT ur.owner, 'report', r.report_id, r.report_type, ${firstLinkedSql(t, 'r.report_id', 'account', dialect)},
  ${firstLinkedSql(t, 'r.report_id', 'inquiry', dialect)}, r.status, ${text}, r.has_match,
  r.is_continuous, r.status_at_ms, r.status_event_id, ${int}, ${int}, r.reference_id,
  r.match_at_ms, r.match_event_id, r.cleared_at_ms, r.cleared_event_id
FROM user_reports ur ${join} ${t.reports} r ON r.report_id = ur.id
UNION ALL
SELECT s.owner, 'account', a.account_id, ${text}, ${text}, ${text}, a.status, ${text}, ${int}, ${int},
  a.status_at_ms, a.status_event_id, ${int}, a.redacted_at_ms, a.reference_id, ${noMatch}
FROM spine s ${join} ${t.accounts} a ON a.account_id = s.id WHERE s.kind = 'account'`;
}

/**
 * The users (reference ids) whose facts may include an object `changedSql` names (a SELECT of `id`,
 * `kind` pairs): the inverse of {@link ownershipCtes}, kind by kind, so a shared object never fans out
 * to everyone it touches. `cands` are the spine objects the changed facts hang off: a changed
 * inquiry, account or transaction itself, the ones a changed report or case is linked to, and those of
 * the reports a changed case is linked to. A spine object's users are its own reference id and the
 * anchors that put it in a spine: for an account or a transaction, the inquiries, accounts and
 * transactions linked to it (an account, also the inquiries whose `account_id` it is); for an inquiry,
 * the transactions linked to it. An inquiry is never a
 * user's through an account, so an account that many inquiries name (a docs sample replayed) does not
 * bring all their users along.
 */
export function concernedUsersSql(t: KycTables, changedSql: string, dialect: KycDialect): string {
  const join = joinWord(dialect);
  const spineKinds = "('inquiry', 'account', 'transaction')";
  return `WITH changed(id, kind) AS (${changedSql}),
cands(id, kind) AS (
  SELECT id, kind FROM changed WHERE kind IN ${spineKinds}
  UNION SELECT l.related_id, l.related_kind FROM changed c ${join} ${t.links} l ON l.object_id = c.id
    WHERE c.kind IN ('report', 'case') AND l.related_kind IN ${spineKinds}
  UNION SELECT l2.related_id, l2.related_kind FROM changed c ${join} ${t.links} l1 ON l1.object_id = c.id
    ${join} ${t.links} l2 ON l2.object_id = l1.related_id
    WHERE c.kind = 'case' AND l1.related_kind = 'report' AND l2.related_kind IN ${spineKinds}),
owners(id) AS (
  SELECT id FROM cands
  UNION SELECT l.related_id FROM cands c ${join} ${t.links} l ON l.object_id = c.id
    WHERE (c.kind IN ('account', 'transaction') AND l.related_kind IN ${spineKinds})
      OR (c.kind = 'inquiry' AND l.related_kind = 'transaction')
  UNION SELECT i.inquiry_id FROM cands c ${join} ${t.inquiries} i ON i.account_id = c.id WHERE c.kind = 'account')
SELECT i.reference_id FROM owners o ${join} ${t.inquiries} i ON i.inquiry_id = o.id WHERE i.reference_id IS NOT NULL
UNION SELECT a.reference_id FROM owners o ${join} ${t.accounts} a ON a.account_id = o.id WHERE a.reference_id IS NOT NULL
UNION SELECT x.reference_id FROM owners o ${join} ${t.transactions} x ON x.transaction_id = o.id
  WHERE x.reference_id IS NOT NULL`;
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

/** Parameters of `upsertTransaction`. */
export function transactionParams(u: TransactionStatusUpdate, nowMs: number) {
  return {
    transaction_id: u.transactionId,
    reference_id: u.referenceId,
    transaction_created_at_ms: u.transactionCreatedAtMs,
    redacted_at_ms: u.redactedAtMs,
    status: u.status,
    ...stateKey(u.status !== null, u.statusAtMs, u.eventId),
    updated_at_ms: nowMs,
  };
}

/** Parameters of `insertLink`, both directions of every link. */
export function linkParams(u: LinksUpdate) {
  return u.related.flatMap((r) => [
    { object_id: u.objectId, related_id: r.id, object_kind: u.objectKind, related_kind: r.kind },
    { object_id: r.id, related_id: u.objectId, object_kind: r.kind, related_kind: u.objectKind },
  ]);
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
    match_at_ms: u.matched ? u.statusAtMs : null,
    match_event_id: u.matched ? u.eventId : null,
    cleared_at_ms: u.cleared ? u.statusAtMs : null,
    cleared_event_id: u.cleared ? u.eventId : null,
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
