/**
 * Handler errors can carry anything in their message (a downstream response, a user's name), so the
 * worker keeps two renderings apart: a truncated text that goes to the store (visible to admins, like
 * the payload itself), and a class/code label that is the only thing safe to log or count.
 */

import { HandlerFailedError } from '../errors.js';

/** Longest error text stored per attempt: enough to debug, too short to become a data dump. */
export const MAX_ERROR_TEXT = 500;

/** What the worker does next with a failed event: run it again at a time, or nothing until a replay. */
export type NextStep = { retryAtMs: number; attempt: number; maxAttempts: number } | { deadAfter: number };

/**
 * The stored text of a failed worker attempt: the error (as `errorText`), then what happens next. Under
 * the worker Persona has been answered long ago, so nothing of "Persona will retry" may be said: the
 * worker retries at a time, or the event is dead and waits for a replay.
 *
 * @example
 * attemptFailureText(error, { retryAtMs, attempt: 2, maxAttempts: 8 });
 * // 'HandlerFailedError: 1 of 1 event handler(s) failed [Error: CRM down]; retry at 2026-01-01T00:00:04.000Z (attempt 2 of 8 failed)'
 */
export function attemptFailureText(error: unknown, next: NextStep, maxLength = MAX_ERROR_TEXT): string {
  const then =
    'deadAfter' in next
      ? `; dead after ${next.deadAfter} attempt${next.deadAfter === 1 ? '' : 's'}: fix the handler, then replay the event (dashboard, \`persona-webhooks events replay <id>\` or store.replay)`
      : `; retry at ${new Date(next.retryAtMs).toISOString()} (attempt ${next.attempt} of ${next.maxAttempts} failed)`;
  // The next step is never truncated away: it is what an admin reading a dead event needs most.
  return errorText(error, Math.max(40, maxLength - then.length)) + then;
}

/**
 * `Name: message`, truncated; what the store records as an attempt's error. An error that wraps others
 * (the dispatcher's `HandlerFailedError`, `AggregateError`) says only how many failed, so the wrapped
 * errors are appended: without them an admin cannot tell why the event is dead.
 */
export function errorText(error: unknown, maxLength = MAX_ERROR_TEXT): string {
  const wrapped = error instanceof Error ? (error as { errors?: unknown }).errors : undefined;
  const causes = Array.isArray(wrapped) ? wrapped.map((cause) => ` [${describe(cause)}]`).join('') : '';
  const text = describe(error) + causes;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function describe(error: unknown): string {
  if (error instanceof HandlerFailedError) return `${error.name}: ${error.summary}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${typeof error}`;
}

/** The error's stable `code` when it has one, else its class name: safe to log, never the message. */
export function errorLabel(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0 && code.length <= 64) return code;
    if (error instanceof Error) return error.name.slice(0, 64);
  }
  return typeof error;
}
