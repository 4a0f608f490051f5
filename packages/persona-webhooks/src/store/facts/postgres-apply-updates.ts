/**
 * Applies KYC projection updates inside the transaction that completes the event. The upserts and
 * their newest-wins rule are shared with SQLite (`fact-upserts.ts`, `inquiry-upserts.ts`) and rendered here for
 * `$n` parameters; they run one after another, each seeing the ones before it.
 */
import type { LinksUpdate, ProjectionUpdate } from '../../kyc/projection-update.js';
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

/** One event's updates in a grouped completion, gated on its id (`gate`) being done-marked. */
export interface GatedUpdates {
  gate: string;
  updates: readonly ProjectionUpdate[];
  nowMs: number;
}

/**
 * The foldable updates (`foldedRows`) of many events as CTEs of one fixed text: one upsert per fact
 * table and one insert of links, each taking its rows from arrays (`unnest`) and keeping only the
 * rows whose event id is in the CTE `gate` names (the events whose lease held). Its parameters are
 * `@name`s, rendered by the caller with the rest of its statement (`named-params.ts`). Being one text
 * whatever the events, PostgreSQL plans it in constant time: one CTE per event and update took it
 * 10–20 ms to plan a group of 30.
 */
export interface GroupedUpdates {
  ctes: string[];
  /** The arrays of `events`' updates, by parameter name. */
  params(events: readonly GatedUpdates[]): Record<string, unknown[]>;
}

/** The statements of one schema, rendered once. */
export interface UpdateStatements {
  apply(tx: PostgresQueryable, updates: readonly ProjectionUpdate[], nowMs: number): Promise<void>;
  /** The grouped updates, gated on the CTE `gate` (`id` column), rendered once per gate name. */
  grouped(gate: string): GroupedUpdates;
}

/** Renders the projection statements for the tables of one schema. */
export function updateStatements(t: Tables): UpdateStatements {
  const facts = factUpsertStatements(t);
  return { apply: applyUpdates(t, facts), grouped: (gate) => groupedUpdates(t, facts, gate) };
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
  const insertLinks = insertLinksSql(t);

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

/** `UpdateStatements.grouped`: an upsert per foldable kind and the links, as CTEs over arrays. */
function groupedUpdates(t: Tables, facts: FactUpserts, gate: string): GroupedUpdates {
  const inquiries = unnestGated(upsertInquirySql(t.inquiries), 'inquiry_', gate);
  const verifications = unnestGated(upsertVerificationSql(t.verifications), 'verification_', gate);
  const transactions = unnestGated(facts.upsertTransaction, 'transaction_', gate);
  const links = unnestGated(facts.insertLink, 'link_', gate);
  return {
    ctes: [inquiries, verifications, transactions, links].map(
      (upsert, i) => `grouped_update_${i + 1} AS (${upsert.sql})`,
    ),
    params: (events) => {
      const [inquiry, verification, transaction, link] = [inquiries, verifications, transactions, links].map(
        (upsert) => new RowArrays(upsert),
      ) as [RowArrays, RowArrays, RowArrays, RowArrays];
      for (const { gate: eventId, updates, nowMs } of events) {
        for (const update of updates) {
          if (update.kind === 'inquiry') inquiry.push(eventId, inquiryParams(update, nowMs));
          else if (update.kind === 'verification') verification.push(eventId, verificationParams(update));
          else if (update.kind === 'transaction') transaction.push(eventId, transactionParams(update, nowMs));
          else if (update.kind === 'links') for (const row of linkParams(update)) link.push(eventId, row);
          else throw new Error(`a grouped completion cannot fold a ${update.kind} update`);
        }
      }
      return { ...inquiry.arrays, ...verification.arrays, ...transaction.arrays, ...link.arrays };
    },
  };
}

/** An upsert (or insert) turned into one over arrays, and the columns it takes, in its own order. */
interface UnnestedUpsert {
  sql: string;
  prefix: string;
  columns: string[];
}

/**
 * `INSERT … VALUES (@a, @b) ON CONFLICT (a) …` → `INSERT … SELECT u.a, u.b FROM unnest(@<prefix>gate::text[],
 * @<prefix>a::text[], @<prefix>b::bigint[]) AS u(gate, a, b) WHERE u.gate IN (SELECT id FROM <gate>)
 * ORDER BY u.a ON CONFLICT (a) …`. The arrays are typed from the column names: the projection tables'
 * `…_ms` columns are bigint, the rest text (the kinds with smallint flags do not fold, see
 * `foldedRows`). Rows go in the order of the conflict key, so two groups in flight at once lock the
 * rows they share in one order and never deadlock on each other.
 */
function unnestGated(upsert: string, prefix: string, gate: string): UnnestedUpsert {
  let columns: string[] = [];
  const sql = upsert.replace(
    /\)\s+VALUES \(([\s\S]*?)\)\s+ON CONFLICT \(([^)]*)\)/,
    (_match, list: string, conflictKey: string) => {
      columns = [...list.matchAll(/@([a-z_]+)/g)].map((found) => found[1] as string);
      const arrays = columns.map((c) => `@${prefix}${c}::${c.endsWith('_ms') ? 'bigint' : 'text'}[]`);
      const order = conflictKey.split(',').map((c) => `u.${c.trim()}`);
      return `) SELECT ${columns.map((c) => `u.${c}`).join(', ')}
    FROM unnest(@${prefix}gate::text[], ${arrays.join(', ')}) AS u(gate, ${columns.join(', ')})
    WHERE u.gate IN (SELECT id FROM ${gate}) ORDER BY ${order.join(', ')}
    ON CONFLICT (${conflictKey})`;
    },
  );
  if (columns.length === 0) throw new Error('projection upsert has no VALUES list to unnest');
  return { sql, prefix, columns };
}

/** The parameter arrays of one {@link UnnestedUpsert}, filled a row at a time. */
class RowArrays {
  readonly #gates: unknown[] = [];
  readonly #columns: [string, unknown[]][];

  constructor(private readonly upsert: UnnestedUpsert) {
    this.#columns = upsert.columns.map((column) => [column, []]);
  }

  push(gate: string, row: object): void {
    this.#gates.push(gate);
    for (const [column, values] of this.#columns) values.push((row as Record<string, unknown>)[column]);
  }

  /** The arrays by parameter name. */
  get arrays(): Record<string, unknown[]> {
    const { prefix } = this.upsert;
    return Object.fromEntries([
      [`${prefix}gate`, this.#gates],
      ...this.#columns.map(([column, values]) => [`${prefix}${column}`, values]),
    ]);
  }
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

/** Inserts both directions of every link of one update, as four arrays. */
function insertLinksSql(t: Tables): string {
  return `INSERT INTO ${t.links} (object_id, related_id, object_kind, related_kind)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
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
