/**
 * The one HTTP pipeline every adapter calls: method check → size-limited body → signature → envelope →
 * store (or inline handlers) → response. It imports no web framework, no database driver and nothing
 * from `node:`, so the Web adapter can run it on Workers, Deno and Bun.
 */
import { createDispatcher } from '../dispatch/dispatcher.js';
import {
  InvalidEventError,
  InvalidSignatureError,
  MethodNotAllowedError,
  PersonaWebhookError,
  ReceiverBusyError,
} from '../errors.js';
import { MAX_CREATED_AT_SKEW_MS } from '../events/limits.js';
import { type ParseEnvelopeResult, parseEnvelope } from '../events/parse-envelope.js';
import { type ParseEventResult, parseEvent } from '../events/parse-event.js';
import { checkVerifyOptions } from '../signature/signature-options.js';
import type { VerifyOptions, VerifyResult } from '../signature/types.js';
import { planVerification } from '../signature/verification-plan.js';
import type { InboxWriter } from '../store/inbox/inbox.js';
import { errorToResponse } from './error-response.js';
import { InFlightDedupe } from './in-flight-dedupe.js';
import { ingestBody } from './ingest-body.js';
import {
  DEFAULT_DEDUPE_ENTRIES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONCURRENT_BODIES,
  type PipelineOptions,
} from './options.js';
import { type OutcomeReport, outcomeForCode, type RequestOutcome } from './outcome.js';
import { isPingBody } from './ping.js';
import { reportHandlerFailure } from './report-handler-failure.js';
import { headerValue, integerHeader, type WebhookRequest } from './request.js';
import { jsonResponse, type WebhookResponse } from './response.js';

/** Signature verification, injected so the Web build can use Web Crypto instead of `node:crypto`. */
export type Verifier = (options: VerifyOptions) => VerifyResult | Promise<VerifyResult>;

/** Handles one webhook request; see `createPipeline`. */
export interface WebhookPipeline {
  readonly maxBodyBytes: number;
  handle(request: WebhookRequest): Promise<WebhookResponse>;
}

interface Answer {
  response: WebhookResponse;
  outcome: RequestOutcome;
  /** The delivered event's id and name, for the outcome report. */
  event?: { id: string; name: string };
  error?: PersonaWebhookError;
}

const RECEIVED = { received: true } as const;
const DUPLICATE = { received: true, duplicate: true } as const;
const PING = { received: true, ping: true } as const;

/** Builds a pipeline around a verifier. Adapters use `createPipeline` (node) or the Web adapter's own. */
export function createPipelineWith(verify: Verifier, options: PipelineOptions): WebhookPipeline {
  // Misconfiguration fails here, loudly, rather than as a 401 or 500 on every genuine delivery.
  const { secrets, toleranceSeconds } = checkVerifyOptions({
    body: '',
    header: null,
    secrets: options.secrets,
    ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
  });
  const maxBodyBytes = positiveInteger('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const maxConcurrentBodies = positiveInteger(
    'maxConcurrentBodies',
    options.maxConcurrentBodies ?? DEFAULT_MAX_CONCURRENT_BODIES,
  );
  let bodiesBeingRead = 0;
  if (options.store && options.dispatcher) {
    throw new TypeError(
      'persona-webhooks: pass either a store (durable: give the dispatcher to createWorker, which runs the handlers) or a dispatcher (inline), not both.',
    );
  }
  const now = options.now ?? Date.now;
  const { store } = options;
  const dispatcher = options.dispatcher ?? createDispatcher();
  const dedupe = new InFlightDedupe(options.dedupeEntries ?? DEFAULT_DEDUPE_ENTRIES);

  async function answer(request: WebhookRequest): Promise<Answer> {
    if (request.method.toUpperCase() !== 'POST') throw new MethodNotAllowedError(request.method);
    const header = headerValue(request, 'persona-signature');
    // A missing, malformed or stale header fails without the body: nobody without a plausible, current
    // signature gets to make us read (and hold) bytes.
    const early = planVerification({
      body: '',
      header,
      secrets,
      toleranceSeconds,
      now: Math.floor(now() / 1000),
    });
    if ('reason' in early) throw new InvalidSignatureError(early.reason, early.message);
    if (bodiesBeingRead >= maxConcurrentBodies) throw new ReceiverBusyError(maxConcurrentBodies);
    bodiesBeingRead++;
    let body: Uint8Array;
    try {
      body = await request.readBody();
    } finally {
      bodiesBeingRead--;
    }

    const verified = await verify({ body, header, secrets, toleranceSeconds, now: Math.floor(now() / 1000) });
    if (!verified.ok) throw new InvalidSignatureError(verified.reason, verified.message);

    const receivedAtMs = now();
    const bounds = { createdAtNotAfterMs: receivedAtMs + MAX_CREATED_AT_SKEW_MS };
    return store
      ? storeDelivery(store, request, body, receivedAtMs, parseEnvelope(body, bounds))
      : dispatchInline(body, parseEvent(body, bounds));
  }

  /** Durable: only the envelope is read now; the worker parses the whole event once, before its handlers. */
  async function storeDelivery(
    store: InboxWriter,
    request: WebhookRequest,
    body: Uint8Array,
    receivedAtMs: number,
    parsed: ParseEnvelopeResult,
  ): Promise<Answer> {
    // Checked only once parsing failed, so events pay nothing for it; the signature was checked above.
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

  /** Inline: the handlers run now, on the whole event. */
  async function dispatchInline(body: Uint8Array, parsed: ParseEventResult): Promise<Answer> {
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

  return {
    maxBodyBytes,
    async handle(request) {
      const startedAt = performance.now();
      let result: Answer;
      try {
        result = await answer(request);
      } catch (error) {
        result = { response: errorToResponse(error), outcome: 'error' };
        if (error instanceof PersonaWebhookError) {
          result.outcome = outcomeForCode(error.code);
          result.error = error;
        }
      }
      options.onOutcome?.(report(result, performance.now() - startedAt));
      return result.response;
    },
  };
}

function report(result: Answer, durationMs: number): OutcomeReport {
  const summary: OutcomeReport = { outcome: result.outcome, status: result.response.status, durationMs };
  if (result.event) {
    summary.eventId = result.event.id;
    summary.eventName = result.event.name;
  }
  if (result.error) {
    summary.code = result.error.code;
    if (result.error instanceof InvalidSignatureError) summary.reason = result.error.reason;
  } else if (result.response.status >= 500) {
    summary.code = 'internal_error';
  }
  return summary;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`persona-webhooks: ${name} must be a positive integer.`);
  }
  return value;
}

function secondsToMs(seconds: number | null): number | null {
  return seconds === null ? null : seconds * 1000;
}
