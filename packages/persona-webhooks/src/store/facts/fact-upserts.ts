/**
 * The upserts of the KYC facts beyond inquiries and verifications (those are in `inquiry-upserts.ts`):
 * transactions, cases, reports, accounts and the links between them, one text for both stores
 * (`@name` placeholders: SQLite binds them as they are, PostgreSQL renders them with
 * `named-params.ts`). Every parameter is cast where PostgreSQL could not infer its type. Like the
 * inquiry upsert, each fact upsert is newest-wins on (created-at, event id) for its state columns and
 * first-known-wins for the identifiers that tie it to a user, so facts converge whatever order events
 * are processed in.
 */
import type {
  AccountStatusUpdate,
  CaseStatusUpdate,
  LinksUpdate,
  ReportStatusUpdate,
  TransactionStatusUpdate,
} from '../../kyc/projection-update.js';
import type { KycTables } from './kyc-tables.js';

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

/** The fact upserts and the link insert of one set of tables, rendered once. */
export function factUpsertStatements(t: KycTables) {
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
  };
}

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
