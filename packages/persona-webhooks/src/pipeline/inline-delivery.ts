/**
 * Inline delivery: the handlers run now, on the whole event, before the answer; a failure answers 500
 * so Persona retries. Deliveries of an event already being handled wait for it and answer duplicate.
 */
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { InvalidEventError } from '../errors.js';
import type { ParseEventResult } from '../events/parse-event.js';
import { type Answer, DUPLICATE, PING, RECEIVED } from './answer.js';
import type { InFlightDedupe } from './in-flight-dedupe.js';
import { isPingBody } from './ping.js';
import { reportHandlerFailure } from './report-handler-failure.js';
import { jsonResponse } from './response.js';

export async function dispatchInline(
  dispatcher: Dispatcher,
  dedupe: InFlightDedupe,
  body: Uint8Array,
  parsed: ParseEventResult,
): Promise<Answer> {
  if (!parsed.ok && isPingBody(body)) return { outcome: 'ping', response: jsonResponse(200, PING) };
  if (!parsed.ok) throw new InvalidEventError(parsed.reason);
  const { event } = parsed;
  const { duplicate } = await dedupe.run(event.id, () =>
    dispatcher.dispatch(event).catch((error: unknown) => {
      // Without this a throwing handler is a bare 500 that nobody sees; an onError handler takes over.
      if (!dispatcher.hasErrorHandlers()) reportHandlerFailure(error, event, body);
      throw error;
    }),
  );
  return duplicate
    ? { outcome: 'duplicate', event, response: jsonResponse(200, DUPLICATE) }
    : { outcome: 'accepted', event, response: jsonResponse(200, RECEIVED) };
}
