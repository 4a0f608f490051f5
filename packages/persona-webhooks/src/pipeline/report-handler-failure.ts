/**
 * The inline pipeline's default report of a failed handler, used while no `dispatcher.onError` handler
 * is registered: the answer is a 500 (so Persona retries), and without a line on stderr the developer
 * sees neither that nor why. One `console.error` line with the event's id and name and the handlers'
 * error messages — redacted as the worker's log lines are, since a message can quote the payload —
 * and never the payload itself.
 */
import type { PersonaEvent } from '../events/event.js';
import { loggableErrorText } from '../worker/log-safe-error.js';

/** Writes the one-line report on `console.error`. */
export function reportHandlerFailure(error: unknown, event: PersonaEvent, body: Uint8Array): void {
  console.error(
    `persona-webhooks: a handler failed for ${event.id} (${event.name}); answered 500, so Persona will retry it. ${loggableErrorText(error, body)} — register dispatcher.onError(…) to report failures yourself.`,
  );
}
