/**
 * Reads pg's row values as numbers. The service's pool keeps pg's default of returning int8 (`bigint`)
 * as strings, so millisecond times arrive as text; these convert and check them.
 */

/** A non-null integer column. */
export function int(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new TypeError(`Expected an integer column, got ${typeof value}.`);
  }
  return number;
}

/** A nullable integer column. */
export function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}

/** A nullable text column. */
export function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
