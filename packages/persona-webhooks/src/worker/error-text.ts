/**
 * Handler errors can carry anything in their message (a downstream response, a user's name), so the
 * worker keeps two renderings apart: a truncated text that goes to the store (visible to admins, like
 * the payload itself), and a class/code label that is the only thing safe to log or count.
 */

/** Longest error text stored per attempt: enough to debug, too short to become a data dump. */
export const MAX_ERROR_TEXT = 500;

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
