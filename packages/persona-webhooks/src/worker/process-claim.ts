/**
 * Runs one claimed event to an outcome: done (handlers and projection applied), retry (failed, back
 * in the queue at a backoff time) or dead (failed for good, waits for a manual replay). Never rejects:
 * every failure, store errors included, ends as a report, because a rejected promise in the worker
 * loop would be unhandled.
 */
import { type ParseEventResult, parseEvent, parseParsedEvent } from '../events/parse-event.js';
import { takeParsedBody } from '../events/parsed-handoff.js';
import { projectKyc } from '../kyc/projection.js';
import type { ClaimedEvent } from '../store/queue/work-queue.js';
import { retryDelayMs } from './backoff.js';
import { attemptFailureText, errorLabel } from './error-text.js';
import { loggableErrorText } from './log-safe-error.js';
import type { ProcessedReport, ResolvedWorkerOptions } from './worker-options.js';

/** Dead-letter reason for an event whose body retention (or a redaction) removed before it ran. */
export const BODY_PURGED = 'body purged before processing';

/**
 * Processes one claim and reports how it ended; the caller owns the lease bookkeeping. `handlersDone`
 * runs once the handlers are over and only the outcome's store write is left: the worker's slot is
 * free from then on (see `held-claims.ts`).
 */
export async function processClaim(
  claim: ClaimedEvent,
  options: ResolvedWorkerOptions,
  handlersDone: () => void = () => {},
): Promise<ProcessedReport> {
  const started = performance.now();
  const record: RecordOutcome = (write) => {
    handlersDone();
    return settle(claim, options, write);
  };
  const report = (result: ProcessedReport['result'], error?: string): ProcessedReport => ({
    eventId: claim.id,
    name: claim.name,
    result,
    durationMs: performance.now() - started,
    ...(error === undefined ? {} : { error }),
  });

  if (claim.body === null) {
    await record(() => options.store.fail(claim, BODY_PURGED, null, options.now()));
    return report('dead', 'body_purged');
  }
  const { body } = claim;
  try {
    const parsed = parseClaimedBody(options.store, claim.id, body);
    if (!parsed.ok) {
      // A parser verdict is deterministic: retrying the same bytes can only fail the same way.
      await record(() => options.store.fail(claim, `invalid event: ${parsed.reason}`, null, options.now()));
      return report('dead', 'invalid_event');
    }
    const { event } = parsed;
    const { dispatcher } = options;
    if (dispatcher?.hasHandlers(event.name)) await dispatcher.dispatch(event);
    const updates = options.projection ? projectKyc(event) : [];
    await record(() => options.store.complete(claim, updates, options.now()));
    return report('done');
  } catch (error) {
    return failAttempt(claim, error, options, report, record);
  }
}

/**
 * The JSON ingest parsed from these very bytes in this process, when it is still there (see
 * `parsed-handoff.ts`); else the bytes, parsed now.
 */
function parseClaimedBody(store: object, eventId: string, body: Uint8Array): ParseEventResult {
  const handed = takeParsedBody(store, eventId);
  return handed && Buffer.compare(handed.bytes, body) === 0
    ? parseParsedEvent(handed.root, body)
    : parseEvent(body);
}

/** Writes the claim's outcome once its handlers are over (see `settle`). */
type RecordOutcome = (write: () => Promise<boolean>) => Promise<void>;

async function failAttempt(
  claim: ClaimedEvent,
  error: unknown,
  options: ResolvedWorkerOptions,
  report: (result: ProcessedReport['result'], error?: string) => ProcessedReport,
  record: RecordOutcome,
): Promise<ProcessedReport> {
  const label = errorLabel(error);
  const dead = claim.attempt >= options.backoff.maxAttempts;
  const nowMs = options.now();
  const retryAtMs = dead ? null : nowMs + retryDelayMs(claim.attempt, options.backoff);
  options.logger.warn(
    {
      eventId: claim.id,
      eventName: claim.name,
      attempt: claim.attempt,
      error: label,
      // Without the message an operator sees only `handler_failed`; redacted, since it may quote the payload.
      errorMessage: loggableErrorText(error, claim.body),
      dead,
    },
    dead ? 'handler failed; event is dead' : 'handler failed; will retry',
  );
  const text = attemptFailureText(
    error,
    retryAtMs === null
      ? { deadAfter: claim.attempt }
      : { retryAtMs, attempt: claim.attempt, maxAttempts: options.backoff.maxAttempts },
  );
  await record(() => options.store.fail(claim, text, retryAtMs, nowMs));
  return report(dead ? 'dead' : 'retry', label);
}

/**
 * Records the outcome. A lost lease (false) means another worker owns the event now; a store error
 * means the lease will expire and the event will run again. Both are logged, neither is thrown.
 */
async function settle(
  claim: ClaimedEvent,
  options: ResolvedWorkerOptions,
  write: () => Promise<boolean>,
): Promise<void> {
  try {
    if (!(await write())) {
      options.logger.warn(
        { eventId: claim.id, eventName: claim.name, attempt: claim.attempt },
        'lease lost; outcome discarded',
      );
    }
  } catch (error) {
    options.logger.error(
      { eventId: claim.id, eventName: claim.name, attempt: claim.attempt, error: errorLabel(error) },
      'could not record outcome; the event will run again when its lease expires',
    );
  }
}
