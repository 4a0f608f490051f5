/**
 * Applies KYC projection updates inside the transaction that completes the event. The upserts and
 * their newest-wins rule are shared with SQLite (`fact-upserts.ts`, `inquiry-upserts.ts`) and rendered here for
 * `$n` parameters; they run one after another, each seeing the ones before it.
 */
import type { LinksUpdate, ProjectionUpdate, VerificationStatusUpdate } from '../../kyc/projection-update.js';
import { positional } from '../named-params.js';
import type { PostgresQueryable } from '../postgres/driver.js';
import type { Tables } from '../postgres/tables.js';
import {
  accountParams,
  caseParams,
  factUpsertStatements,
  linkParams,
  reportParams,
  transactionParams,
} from './fact-upserts.js';
import {
  type InquiryParams,
  inquiryParams,
  upsertInquirySql,
  upsertVerificationSql,
  type VerificationParams,
  verificationParams,
} from './inquiry-upserts.js';

/** The statements of one schema, rendered once. */
export interface UpdateStatements {
  apply(tx: PostgresQueryable, updates: readonly ProjectionUpdate[], nowMs: number): Promise<void>;
  /**
   * The updates as CTEs named `<prefix>update_<n>` that run only if the CTE named `gate` returned a
   * row, numbering their parameters after `firstParam - 1`; null when `foldedRows` is (they cannot
   * share one statement). The prefix keeps the names of several events' CTEs in one statement apart.
   */
  asCtes(
    updates: readonly ProjectionUpdate[],
    nowMs: number,
    gate: string,
    firstParam: number,
    prefix?: string,
  ): { ctes: string[]; values: unknown[] } | null;
}

/** Renders the projection statements for the tables of one schema. */
export function updateStatements(t: Tables): UpdateStatements {
  const facts = factUpsertStatements(t);
  return { apply: applyUpdates(t, facts), asCtes: updatesAsCtes(t, facts) };
}

type FactUpserts = ReturnType<typeof factUpsertStatements>;

/** `UpdateStatements.apply`: one statement per update (a scrub, up to three), rendered once here. */
function applyUpdates(t: Tables, facts: FactUpserts): UpdateStatements['apply'] {
  const upsertInquiry = positional<InquiryParams>(upsertInquirySql(t.inquiries));
  const upsertVerification = positional<VerificationParams>(upsertVerificationSql(t.verifications));
  const scrubByInquiry = `UPDATE ${t.events} SET body = NULL WHERE inquiry_id = $1 AND body IS NOT NULL`;
  const scrubByAccount = `UPDATE ${t.events} SET body = NULL WHERE account_id = $1 AND body IS NOT NULL`;
  const scrubByObject = `UPDATE ${t.events} SET body = NULL WHERE object_id = $1 AND body IS NOT NULL`;
  const upsertCase = positional<ReturnType<typeof caseParams>>(facts.upsertCase);
  const upsertReport = positional<ReturnType<typeof reportParams>>(facts.upsertReport);
  const upsertAccount = positional<ReturnType<typeof accountParams>>(facts.upsertAccount);
  const upsertTransaction = positional<ReturnType<typeof transactionParams>>(facts.upsertTransaction);
  const insertLinks = insertLinksSql(t, null, 1);

  return async (tx, updates, nowMs) => {
    for (const update of updates) {
      if (update.kind === 'inquiry') {
        await tx.query(upsertInquiry.text, upsertInquiry.values(inquiryParams(update, nowMs)));
      } else if (update.kind === 'verification') {
        await tx.query(upsertVerification.text, upsertVerification.values(verificationParams(update)));
      } else if (update.kind === 'case') {
        await tx.query(upsertCase.text, upsertCase.values(caseParams(update, nowMs)));
      } else if (update.kind === 'report') {
        await tx.query(upsertReport.text, upsertReport.values(reportParams(update, nowMs)));
      } else if (update.kind === 'account') {
        await tx.query(upsertAccount.text, upsertAccount.values(accountParams(update, nowMs)));
      } else if (update.kind === 'transaction') {
        await tx.query(upsertTransaction.text, upsertTransaction.values(transactionParams(update, nowMs)));
      } else if (update.kind === 'links') {
        await tx.query(insertLinks, linkArrays(update));
      } else {
        if (update.inquiryId !== null) await tx.query(scrubByInquiry, [update.inquiryId]);
        if (update.accountId !== null) await tx.query(scrubByAccount, [update.accountId]);
        if (update.objectId != null) await tx.query(scrubByObject, [update.objectId]);
      }
    }
  };
}

/** `UpdateStatements.asCtes`: the gated upserts, rendered once here. */
function updatesAsCtes(t: Tables, facts: FactUpserts): UpdateStatements['asCtes'] {
  const gatedInquiry = positional<InquiryParams>(gated(upsertInquirySql(t.inquiries)));
  const gatedVerification = positional<VerificationParams>(gated(upsertVerificationSql(t.verifications)));
  const gatedTransaction = positional<ReturnType<typeof transactionParams>>(gated(facts.upsertTransaction));

  return (updates, nowMs, gate, firstParam, prefix = '') => {
    if (foldedRows(updates) === null) return null;
    const ctes: string[] = [];
    const values: unknown[] = [];
    for (const update of updates) {
      if (update.kind === 'links') {
        // Links never conflict with a row another CTE changes: ON CONFLICT DO NOTHING updates none.
        const arrays = linkArrays(update);
        const text = insertLinksSql(t, gate, firstParam + values.length);
        ctes.push(`${prefix}update_${ctes.length + 1} AS (${text})`);
        values.push(...arrays);
        continue;
      }
      const offset = firstParam - 1 + values.length;
      const [sql, params] =
        update.kind === 'inquiry'
          ? [gatedInquiry.text, gatedInquiry.values(inquiryParams(update, nowMs))]
          : update.kind === 'transaction'
            ? [gatedTransaction.text, gatedTransaction.values(transactionParams(update, nowMs))]
            : [
                gatedVerification.text,
                gatedVerification.values(verificationParams(update as VerificationStatusUpdate)),
              ];
      values.push(...params);
      const text = sql
        .replaceAll('%GATE%', gate)
        .replace(/\$(\d+)/g, (_match, n: string) => `$${Number(n) + offset}`);
      ctes.push(`${prefix}update_${ctes.length + 1} AS (${text})`);
    }
    return { ctes, values };
  };
}

/**
 * The fact rows `updates` upsert when they can share one statement (links are left out: they update
 * no row); null when they cannot, because PostgreSQL changes a row at most once per statement: two
 * updates of one inquiry, transaction or verification, or a scrub (it updates event rows, the
 * done-marked one among them), or a case, report or account (their smallint flags do not take the
 * text parameters a gated SELECT passes). Grouped completions keep two events upserting one row apart
 * by these keys.
 */
export function foldedRows(updates: readonly ProjectionUpdate[]): string[] | null {
  const rows = new Set<string>();
  for (const update of updates) {
    if (update.kind === 'links') continue;
    const row = rowKey(update);
    if (row === null || rows.has(row)) return null;
    rows.add(row);
  }
  return [...rows];
}

/** Inserts both directions of every link of one update, as four arrays from `$first` on. */
function insertLinksSql(t: Tables, gate: string | null, first: number): string {
  return `INSERT INTO ${t.links} (object_id, related_id, object_kind, related_kind)
    SELECT * FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[])
    ${gate ? `WHERE EXISTS (SELECT 1 FROM ${gate})` : ''}
    ON CONFLICT (object_id, related_kind, related_id) DO NOTHING`;
}

/** The four arrays `insertLinksSql` takes for one update. */
function linkArrays(update: LinksUpdate): string[][] {
  const rows = linkParams(update);
  return [
    rows.map((r) => r.object_id),
    rows.map((r) => r.related_id),
    rows.map((r) => r.object_kind),
    rows.map((r) => r.related_kind),
  ];
}

/** The row an update changes, for the updates that can share one statement; null for the others. */
function rowKey(update: ProjectionUpdate): string | null {
  if (update.kind === 'inquiry') return `i:${update.inquiryId}`;
  if (update.kind === 'verification') return `v:${update.verificationId}`;
  if (update.kind === 'transaction') return `t:${update.transactionId}`;
  return null;
}

/**
 * `INSERT … VALUES (…) ON CONFLICT …` → `INSERT … SELECT … WHERE EXISTS (SELECT 1 FROM <gate>) ON CONFLICT …`.
 * A SELECT list does not take its types from the target columns as VALUES does, so each parameter is
 * cast: the projection tables' `…_ms` columns are bigint, the rest text.
 */
function gated(upsert: string): string {
  const result = upsert.replace(/\)\s+VALUES \(([\s\S]*?)\)\s+ON CONFLICT/, (_match, list: string) => {
    const typed = list.replace(/@([a-z_]+)/g, (_name, name: string) =>
      name.endsWith('_ms') ? `@${name}::bigint` : `@${name}::text`,
    );
    return `) SELECT ${typed} WHERE EXISTS (SELECT 1 FROM %GATE%) ON CONFLICT`;
  });
  if (result === upsert) throw new Error('projection upsert has no VALUES list to gate');
  return result;
}
