/**
 * Reads the rows the driver returns without trusting its type parsers: a default `pg` pool returns
 * int8 (every `*_ms` column) and `count(*)` as strings, other setups as numbers or bigints, so each
 * column is converted here, explicitly, and a value of the wrong shape is a `TypeError`, never a
 * silently wrong number.
 */

/** One result row with typed accessors by column name. */
export class RowValues {
  readonly #row: Readonly<Record<string, unknown>>;

  constructor(row: unknown) {
    if (typeof row !== 'object' || row === null)
      throw new TypeError('PostgreSQL returned a row that is not an object.');
    this.#row = row as Record<string, unknown>;
  }

  /** An integer column (int4, or int8 as string/number/bigint) within JavaScript's safe range. */
  int(column: string): number {
    const value = this.#row[column];
    const number =
      typeof value === 'number'
        ? value
        : typeof value === 'string' || typeof value === 'bigint'
          ? Number(value)
          : NaN;
    if (!Number.isSafeInteger(number)) throw this.#wrong(column, 'a safe integer');
    return number;
  }

  intOrNull(column: string): number | null {
    return this.#row[column] === null ? null : this.int(column);
  }

  text(column: string): string {
    const value = this.#row[column];
    if (typeof value !== 'string') throw this.#wrong(column, 'text');
    return value;
  }

  textOrNull(column: string): string | null {
    return this.#row[column] === null ? null : this.text(column);
  }

  /** A bytea column as a Buffer (pg's default parser already returns one; a view, never a copy). */
  bytesOrNull(column: string): Buffer | null {
    const value = this.#row[column];
    if (value === null) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw this.#wrong(column, 'bytea');
  }

  /** A text column that must hold one of `allowed`. */
  oneOf<const T extends string>(column: string, allowed: readonly T[]): T {
    const value = this.text(column);
    const found = allowed.find((candidate) => candidate === value);
    if (found === undefined) throw this.#wrong(column, allowed.join(' | '));
    return found;
  }

  // The message names the column and the expected type only: never the value, which may be user data.
  #wrong(column: string, expected: string): TypeError {
    return new TypeError(`PostgreSQL column ${column} is not ${expected} (or is missing).`);
  }
}

/** Wraps every row of a result. */
export function rowValues(rows: readonly unknown[]): RowValues[] {
  return rows.map((row) => new RowValues(row));
}
