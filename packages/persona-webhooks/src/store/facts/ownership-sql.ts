/**
 * Which objects are whose: the SQL that finds one user's objects, every fact of many users, and the
 * users a changed object concerns. One text for both dialects, rendered per dialect where their join
 * planning or collation differs.
 */
import type { KycDialect, KycTables } from './kyc-tables.js';

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
 * `kind`, `origin` rows), each with the `origin` of the object that reaches it (a user several reach
 * comes once per origin): the caller tells with it which change concerns whom. The inverse of {@link ownershipCtes}, kind by kind, so a shared object never fans out
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
  return `WITH changed(id, kind, origin) AS (${changedSql}),
cands(id, kind, origin) AS (
  SELECT id, kind, origin FROM changed WHERE kind IN ${spineKinds}
  UNION SELECT l.related_id, l.related_kind, c.origin FROM changed c ${join} ${t.links} l ON l.object_id = c.id
    WHERE c.kind IN ('report', 'case') AND l.related_kind IN ${spineKinds}
  UNION SELECT l2.related_id, l2.related_kind, c.origin FROM changed c ${join} ${t.links} l1 ON l1.object_id = c.id
    ${join} ${t.links} l2 ON l2.object_id = l1.related_id
    WHERE c.kind = 'case' AND l1.related_kind = 'report' AND l2.related_kind IN ${spineKinds}),
owners(id, origin) AS (
  SELECT id, origin FROM cands
  UNION SELECT l.related_id, c.origin FROM cands c ${join} ${t.links} l ON l.object_id = c.id
    WHERE (c.kind IN ('account', 'transaction') AND l.related_kind IN ${spineKinds})
      OR (c.kind = 'inquiry' AND l.related_kind = 'transaction')
  UNION SELECT i.inquiry_id, c.origin FROM cands c ${join} ${t.inquiries} i ON i.account_id = c.id
    WHERE c.kind = 'account')
SELECT i.reference_id, o.origin FROM owners o ${join} ${t.inquiries} i ON i.inquiry_id = o.id
  WHERE i.reference_id IS NOT NULL
UNION SELECT a.reference_id, o.origin FROM owners o ${join} ${t.accounts} a ON a.account_id = o.id
  WHERE a.reference_id IS NOT NULL
UNION SELECT x.reference_id, o.origin FROM owners o ${join} ${t.transactions} x ON x.transaction_id = o.id
  WHERE x.reference_id IS NOT NULL`;
}

/** SQLite stores booleans as 0/1; so does PostgreSQL here (smallint), so the text is shared. */
