/**
 * What the list commands (`events list`, `deliveries list`, `kyc --decision`) share: their `--status`
 * and `--limit` checks, and printing one page as JSON or as a table followed by the cursor of the next
 * page.
 */
import { InvalidArgumentError } from 'commander';
import { withStoreNamed } from './not-found.js';
import { formatTable } from './table.js';
import { printJson } from './with-store.js';

/** Largest page a list command asks the store for. */
const MAX_LIMIT = 500;

/** `--limit` as an integer 1–500. */
export function listLimit(raw: string): number {
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new InvalidArgumentError(`--limit must be 1–${MAX_LIMIT}`);
  }
  return limit;
}

/** `--status` (or another `flag` of the kind, like `--decision`), if given, as one of `statuses`. */
export function listStatus<S extends string>(
  raw: string | undefined,
  statuses: readonly S[],
  flag = '--status',
): S | undefined {
  if (raw === undefined) return undefined;
  if (!statuses.includes(raw as S))
    throw new InvalidArgumentError(`${flag} must be one of ${statuses.join(', ')}`);
  return raw as S;
}

/** One page of a list command and how to show it. */
export interface ListPage<Row> {
  /** The JSON key of the rows (`events`, `deliveries`); also the word for "no …". */
  noun: string;
  rows: readonly Row[];
  nextCursor: string | null;
  json: boolean | undefined;
  head: readonly string[];
  cells(row: Row): ReadonlyArray<string | number | null>;
  /** The command's `--database-url`, to say which store an empty page came from. */
  databaseUrl: string | undefined;
}

/** Prints `{ <noun>, nextCursor }` with `--json`; else the table, or `no <noun>`, and the next page's cursor. */
export function printListPage<Row>(page: ListPage<Row>): void {
  if (page.json) {
    printJson({ [page.noun]: page.rows, nextCursor: page.nextCursor });
  } else if (page.rows.length === 0) {
    process.stdout.write(`${withStoreNamed(`no ${page.noun}`, page.databaseUrl)}\n`);
  } else {
    process.stdout.write(formatTable(page.head, page.rows.map(page.cells)));
    if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
  }
}
