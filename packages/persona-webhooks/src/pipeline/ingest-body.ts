/**
 * The one way a body becomes inbox state, shared by the webhook pipeline and by recovery through
 * Persona's Events API: a Persona event is stored once (deduplicated on its `evt_` id), anything else
 * (or that the database refuses) is quarantined as dead, deduplicated on its SHA-256 — signed or recovered
 * data is never thrown away.
 */
import { EventRejectedError } from '../errors.js';
import { MAX_CREATED_AT_SKEW_MS } from '../events/limits.js';
import { type EventEnvelope, type ParseEnvelopeResult, parseEnvelope } from '../events/parse-envelope.js';
import { leaveParsedBody, withdrawParsedBody } from '../events/parsed-handoff.js';
import type { InboxWriter, IngestOutcome } from '../store/inbox/inbox.js';
import { type DeliveryInfo, toInboxEvent } from '../store/inbox/inbox-event.js';

/** What the ingest path did with one body. */
export type IngestBodyResult =
  | { outcome: 'stored' | 'duplicate'; event: EventEnvelope }
  | { outcome: 'quarantined'; duplicate: boolean; reason: string };

/**
 * Reads a body's envelope and stores it (the pipeline passes its own read, so it parses once). The full
 * event is built by the worker, which runs it, from the JSON parsed here when it runs in this process.
 *
 * @example
 * const result = await ingestBody(store, bytes, { attemptsMade: null, attemptsLeft: null, firstAttemptedAtMs: null, receivedAtMs: Date.now(), source: 'api' });
 * if (result.outcome === 'stored') console.log('recovered', result.event.id);
 */
export async function ingestBody(
  store: InboxWriter,
  body: Uint8Array,
  delivery: DeliveryInfo,
  parsed: ParseEnvelopeResult = parseEnvelope(body, {
    createdAtNotAfterMs: delivery.receivedAtMs + MAX_CREATED_AT_SKEW_MS,
  }),
): Promise<IngestBodyResult> {
  if (!parsed.ok) return quarantine(store, body, delivery, `malformed: ${parsed.reason}`);
  const { envelope, root } = parsed;
  // Left before the ingest call: the worker may claim the event as soon as it commits.
  leaveParsedBody(store, envelope.id, body, root);
  let outcome: IngestOutcome;
  try {
    outcome = await store.ingest(toInboxEvent(envelope, body, delivery));
  } catch (error) {
    withdrawParsedBody(store, envelope.id, root);
    // A row the database itself refuses (a value out of its range): kept as dead like a malformed body.
    if (!(error instanceof EventRejectedError)) throw error;
    return quarantine(store, body, delivery, `rejected by the store: ${error.message}`);
  }
  if (outcome === 'duplicate') withdrawParsedBody(store, envelope.id, root);
  return { outcome, event: envelope };
}

async function quarantine(
  store: InboxWriter,
  body: Uint8Array,
  delivery: DeliveryInfo,
  reason: string,
): Promise<IngestBodyResult> {
  const result = await store.quarantine({
    sha256: await sha256Hex(body),
    body,
    reason,
    receivedAtMs: delivery.receivedAtMs,
    ...(delivery.source ? { source: delivery.source } : {}),
  });
  return { outcome: 'quarantined', duplicate: result === 'duplicate', reason };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
