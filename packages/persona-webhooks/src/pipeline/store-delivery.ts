/**
 * Durable delivery: a verified body is stored before the 2xx; only the envelope is read now, and the
 * worker parses the whole event once, before its handlers.
 */
import type { ParseEnvelopeResult } from '../events/parse-envelope.js';
import type { InboxWriter } from '../store/inbox/inbox.js';
import { type Answer, DUPLICATE, PING, RECEIVED } from './answer.js';
import { ingestBody } from './ingest-body.js';
import { isPingBody } from './ping.js';
import { integerHeader, type WebhookRequest } from './request.js';
import { jsonResponse } from './response.js';

export async function storeDelivery(
  store: InboxWriter,
  request: WebhookRequest,
  body: Uint8Array,
  receivedAtMs: number,
  parsed: ParseEnvelopeResult,
): Promise<Answer> {
  // Checked only once parsing failed, so events pay nothing for it; the signature was checked before.
  if (!parsed.ok && isPingBody(body)) return { outcome: 'ping', response: jsonResponse(200, PING) };
  const result = await ingestBody(
    store,
    body,
    {
      attemptsMade: integerHeader(request, 'persona-webhook-attempts-made'),
      attemptsLeft: integerHeader(request, 'persona-webhook-attempts-left'),
      firstAttemptedAtMs: secondsToMs(integerHeader(request, 'persona-webhook-first-attempted-at')),
      receivedAtMs,
      source: 'webhook',
    },
    parsed,
  );
  if (result.outcome === 'quarantined') {
    // Signed data is never thrown away: kept as dead (deduplicated by hash), and Persona stops retrying.
    return {
      outcome: 'quarantined',
      response: jsonResponse(202, { received: true, quarantined: true, duplicate: result.duplicate }),
    };
  }
  const { event } = result;
  return result.outcome === 'duplicate'
    ? { outcome: 'duplicate', event, response: jsonResponse(200, DUPLICATE) }
    : { outcome: 'accepted', event, response: jsonResponse(200, RECEIVED) };
}

function secondsToMs(seconds: number | null): number | null {
  return seconds === null ? null : seconds * 1000;
}
