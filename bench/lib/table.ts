/** Plain-text tables for stdout: the bench prints figures for people, so alignment matters more than format. */

/** A cell: numbers are formatted by the caller, so each column can pick its own unit and precision. */
export type Cell = string | number;

/**
 * Renders rows under a header, left-aligning the first column and right-aligning the rest.
 *
 * @example
 * console.log(table(['server', 'req/s'], [['bare', '12,000']]));
 */
export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...text.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = text;
  return [line(head!), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

/** Integer with thousands separators, or `–` for a missing figure. */
export function int(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '–' : Math.round(value).toLocaleString('en-US');
}

/** Fixed decimals, or `–` for a missing figure. */
export function fixed(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

/** Bytes as MB (10^6 bytes: the stricter reading of a "≤ 200 MB" target), or `–`. */
export function mb(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '–' : (bytes / 1e6).toFixed(1);
}
