/**
 * Bounds on what a signed body may contain before it becomes an inbox row. A signature proves who sent
 * the bytes, not that every store can hold them: PostgreSQL rejects a NUL character in text, a key
 * column of unbounded length is a liability, and a nesting thousands of levels deep overflows the stack
 * of any recursive walk (ours that normalises keys, or a handler's). A body outside these bounds is kept
 * but never run: quarantined at ingest when its envelope breaks them, marked dead by the worker when the
 * rest of the body does. Never retried, never allowed to fail the batch it arrived with.
 */

/** Longest id kept in a key column: the event id, the object id, and the inquiry and account ids. */
export const MAX_ID_CHARS = 300;

/** Longest event name or object type. Persona's longest documented name has under 50 characters. */
export const MAX_NAME_CHARS = 200;

/** Deepest nesting of objects and arrays anywhere in the body (`fields` included). */
export const MAX_NESTING_DEPTH = 64;

/**
 * How far in the future an event's `created-at` may be. The KYC projection lets the newest event win,
 * so an event dated in the future would pin its inquiry's status until that date.
 */
export const MAX_CREATED_AT_SKEW_MS = 5 * 60 * 1000;

/** Why `value` cannot be stored as an identifier, or null when it can. */
export function identifierProblem(value: string, maxChars: number): string | null {
  if (value.length > maxChars) return `is longer than ${maxChars} characters`;
  if (value.includes('\u0000')) return 'contains a NUL character';
  return null;
}
