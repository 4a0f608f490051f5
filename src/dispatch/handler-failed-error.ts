import { PersonaWebhookError } from '../errors.js';

/**
 * One or more handlers failed for an event. The message never contains the handlers' own messages
 * (they may quote payload data); the underlying errors are on `errors` for the caller to log with care.
 *
 * @example
 * try { await dispatcher.dispatch(event); } catch (error) {
 *   if (error instanceof HandlerFailedError) for (const cause of error.errors) report(cause);
 * }
 */
export class HandlerFailedError extends PersonaWebhookError {
  override readonly name = 'HandlerFailedError';

  constructor(
    /** What each failing handler threw or rejected with, in registration order. */
    readonly errors: unknown[],
    handlerCount: number,
  ) {
    super(
      'handler_failed',
      500,
      `${errors.length} of ${handlerCount} event handler(s) failed, so the event was not acknowledged; Persona will retry it.`,
      { failedHandlers: errors.length },
    );
  }
}
