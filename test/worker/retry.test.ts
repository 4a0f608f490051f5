import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { createPipeline } from '../../packages/persona-webhooks/src/pipeline/create-pipeline.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createWorker, type ProcessedReport } from '../../packages/persona-webhooks/src/worker/worker.js';
import { personaHeaders, SECRET } from '../helpers/deliveries.js';
import { ingestBuilt, manualClock, openTempStore, type TempStore } from './temp-store.js';

function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('worker retries, dead letters and replay', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore();
  });
  afterEach(() => temp.dispose());

  it('retries a failing handler with growing backoff, dead-letters it, and a replay completes it', async () => {
    const { store } = temp;
    const clock = manualClock();
    const built = buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_retry', referenceId: 'user-retry' });
    await ingestBuilt(store, built, clock.now());

    let failing = true;
    let runs = 0;
    const dispatcher = {
      hasHandlers: () => true,
      async dispatch() {
        runs += 1;
        if (failing) throw new TypeError('CRM rejected Jane Example, 1990-01-01');
      },
    };
    const reports: ProcessedReport[] = [];
    const { lines, logger } = recordingLogger();
    const worker = createWorker({
      store,
      dispatcher,
      now: clock.now,
      logger,
      backoff: { baseMs: 1_000, capMs: 3_000, maxAttempts: 4 },
      onProcessed: (report) => reports.push(report),
    });

    const runAts: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect(await worker.runOnce()).toBe(1);
      const detail = await store.getEvent(built.eventId);
      expect(detail).toMatchObject({ status: 'pending', attempts: attempt });
      expect(detail?.lastError).toContain('TypeError: CRM rejected');
      // Under the worker Persona was answered long ago: the text says what the worker does next.
      expect(detail?.lastError).toMatch(
        new RegExp(
          `; retry at ${new Date(detail!.runAtMs).toISOString()} \\(attempt ${attempt} of 4 failed\\)$`,
        ),
      );
      expect(detail?.lastError).not.toMatch(/Persona will retry/);
      const delay = detail!.runAtMs - clock.now();
      const step = Math.min(3_000, 1_000 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
      runAts.push(detail!.runAtMs);
      expect(await worker.runOnce()).toBe(0); // not due yet
      clock.advance(delay);
    }
    expect(runAts[1]! - runAts[0]!).toBeGreaterThan(0);
    expect(runAts[2]! - runAts[1]!).toBeGreaterThan(0);

    expect(await worker.runOnce()).toBe(1);
    const dead = await store.getEvent(built.eventId);
    expect(dead).toMatchObject({ status: 'dead', attempts: 4 });
    expect(dead?.attemptLog.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'dead']);
    expect(dead?.lastError).toMatch(/; dead after 4 attempts: fix the handler, then replay the event \(/);
    expect(await store.getInquiry('inq_retry')).toBeNull(); // the projection waits for the handlers
    clock.advance(10 * 3_600_000);
    expect(await worker.runOnce()).toBe(0);

    failing = false;
    expect(await store.replay(built.eventId, clock.now())).toBe('replayed');
    await worker.drain();
    expect(await store.getEvent(built.eventId)).toMatchObject({ status: 'done', attempts: 1 }); // replay grants a fresh set of attempts
    expect(await store.getInquiry('inq_retry')).toMatchObject({
      status: 'approved',
      referenceId: 'user-retry',
    });

    expect(runs).toBe(5);
    expect(reports.map((r) => r.result)).toEqual(['retry', 'retry', 'retry', 'dead', 'done']);
    expect(reports[0]).toMatchObject({
      eventId: built.eventId,
      name: 'inquiry.approved',
      error: 'TypeError',
    });
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(4);
    expect(warnings[0]?.fields).toEqual({
      eventId: built.eventId,
      eventName: 'inquiry.approved',
      attempt: 1,
      error: 'TypeError',
      errorMessage: 'TypeError: CRM rejected [redacted] [redacted], [redacted]',
      dead: false,
    });
    // Handler messages can carry anything: logged only with the payload's values redacted.
    expect(JSON.stringify(lines)).not.toMatch(/Jane|Example|1990/);
    expect(warnings.at(-1)?.fields).toMatchObject({
      dead: true,
      errorMessage: expect.stringContaining('CRM rejected'),
    });
  });

  it("stores the real dispatcher's wrapped handler errors for admins, and logs them redacted", async () => {
    const { store } = temp;
    const built = buildEvent({ name: 'inquiry.declined' });
    await ingestBuilt(store, built);
    const dispatcher = createDispatcher();
    dispatcher.on('inquiry.declined', () => {
      throw new RangeError('quota exceeded for Jane');
    });
    const { lines, logger } = recordingLogger();
    await createWorker({ store, dispatcher, logger, backoff: { maxAttempts: 1 } }).drain();

    const detail = await store.getEvent(built.eventId);
    expect(detail).toMatchObject({ status: 'dead', attempts: 1 });
    expect(detail?.lastError).toBe(
      'HandlerFailedError: 1 of 1 event handler(s) failed [RangeError: quota exceeded for Jane]; dead after 1 attempt: fix the handler, then replay the event (dashboard, `persona-webhooks events replay <id>` or store.replay)',
    );
    expect(lines).toEqual([
      {
        level: 'warn',
        fields: {
          eventId: built.eventId,
          eventName: 'inquiry.declined',
          attempt: 1,
          error: 'handler_failed',
          errorMessage: expect.stringMatching(
            /^HandlerFailedError: .*\[RangeError: quota exceeded for \[redacted\]\]$/,
          ),
          dead: true,
        },
        message: 'handler failed; event is dead',
      },
    ]);
  });

  it('dead-letters an event whose body was purged before it ran', async () => {
    const { store } = temp;
    const built = buildEvent({ name: 'inquiry.completed' });
    await ingestBuilt(store, built, Date.now() - 60_000);
    expect(await store.purgeBodies(Date.now())).toBe(1);

    const reports: ProcessedReport[] = [];
    await createWorker({ store, onProcessed: (r) => reports.push(r) }).drain();
    expect(await store.getEvent(built.eventId)).toMatchObject({
      status: 'dead',
      lastError: 'body purged before processing',
    });
    expect(reports).toMatchObject([{ result: 'dead', error: 'body_purged' }]);
  });

  it('dead-letters a stored body that does not parse as an event, without retrying it', async () => {
    const { store } = temp;
    const now = Date.now();
    await store.ingest({
      id: 'evt_garbled',
      name: 'inquiry.approved',
      createdAt: new Date(now).toISOString(),
      createdAtMs: now,
      objectType: 'inquiry',
      objectId: 'inq_garbled',
      inquiryId: 'inq_garbled',
      accountId: null,
      body: new TextEncoder().encode('{"data": 42'),
      attemptsMade: 1,
      attemptsLeft: 7,
      firstAttemptedAtMs: now,
      receivedAtMs: now,
    });
    const reports: ProcessedReport[] = [];
    await createWorker({ store, onProcessed: (r) => reports.push(r) }).drain();
    const detail = await store.getEvent('evt_garbled');
    expect(detail).toMatchObject({ status: 'dead', attempts: 1 });
    expect(detail?.lastError).toMatch(/^invalid event: /);
    expect(reports).toMatchObject([{ result: 'dead', error: 'invalid_event' }]);
  });

  it('stores a delivery whose envelope is sound but whose body nests too deep; the worker dead-letters it', async () => {
    // Ingest reads only the envelope (one JSON.parse, no walk); the depth rule is the worker's.
    const { store } = temp;
    const pipeline = createPipeline({ secrets: SECRET, store });
    const built = buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_deep' });
    const body = built.body.replace(
      '"attributes":{',
      `"attributes":{"deep":${'['.repeat(100)}${']'.repeat(100)},`,
    );
    const response = await pipeline.handle({
      method: 'POST',
      header: (name) => personaHeaders(body)[name],
      readBody: async () => new TextEncoder().encode(body),
    });
    expect(response.status).toBe(200);
    let ran = 0;
    const dispatcher = createDispatcher();
    dispatcher.onAny(() => {
      ran += 1;
    });
    await createWorker({ store, dispatcher }).drain();
    const detail = await store.getEvent(built.eventId);
    expect(detail).toMatchObject({
      status: 'dead',
      lastError: 'invalid event: body nests deeper than 64 levels',
    });
    expect(ran).toBe(0);
  });

  it('skips the projection when disabled, and runs no dispatcher for events without handlers', async () => {
    const { store } = temp;
    await ingestBuilt(store, buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_noproj' }));
    let dispatched = 0;
    const dispatcher = {
      hasHandlers: () => false,
      async dispatch() {
        dispatched += 1;
      },
    };
    await createWorker({ store, dispatcher, projection: false }).drain();
    expect(dispatched).toBe(0);
    expect(await store.counts()).toMatchObject({ done: 1 });
    expect(await store.getInquiry('inq_noproj')).toBeNull();
  });
});
