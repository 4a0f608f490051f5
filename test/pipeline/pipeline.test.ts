import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { readLimited } from '../../packages/persona-webhooks/src/adapters/read-limited.js';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { EventRejectedError } from '../../packages/persona-webhooks/src/errors.js';
import { createPipeline } from '../../packages/persona-webhooks/src/pipeline/create-pipeline.js';
import type { OutcomeReport } from '../../packages/persona-webhooks/src/pipeline/outcome.js';
import { buildPingBody } from '../../packages/persona-webhooks/src/pipeline/ping.js';
import type {
  DurablePipelineOptions,
  InlinePipelineOptions,
} from '../../packages/persona-webhooks/src/pipeline/pipeline-options.js';
import { sign } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import { personaHeaders, SECRET, signedEvent } from '../helpers/deliveries.js';
import { MemoryInbox } from '../helpers/memory-inbox.js';

function request(body: string, headers: Record<string, string>, method = 'POST') {
  const bytes = new TextEncoder().encode(body);
  return { method, header: (name: string) => headers[name], readBody: async () => bytes };
}

/** An inline pipeline (with a dispatcher), or a durable one when `options.store` is given. */
function setup(options: Partial<InlinePipelineOptions> | Omit<DurablePipelineOptions, 'secrets'> = {}) {
  const dispatcher = createDispatcher();
  const outcomes: OutcomeReport[] = [];
  const base = { secrets: SECRET, onOutcome: (report: OutcomeReport) => outcomes.push(report) };
  const pipeline = createPipeline(
    options.store ? { ...base, ...options, store: options.store } : { ...base, dispatcher, ...options },
  );
  return { pipeline, dispatcher, outcomes };
}

function parse(body: string) {
  return JSON.parse(body) as {
    received?: boolean;
    duplicate?: boolean;
    error?: { code: string; reason?: string; message: string };
  };
}

describe('pipeline without a store (handlers inline)', () => {
  it('runs handlers and answers 200 {"received":true}', async () => {
    const { pipeline, dispatcher, outcomes } = setup();
    const seen: string[] = [];
    dispatcher.on('inquiry.approved', (event) => {
      seen.push(`${event.id}:${event.object.id}`);
    });
    const delivery = signedEvent({ name: 'inquiry.approved', inquiryId: 'inq_1' });
    const response = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({ received: true });
    expect(seen).toEqual([`${delivery.eventId}:inq_1`]);
    expect(outcomes).toMatchObject([
      { outcome: 'accepted', status: 200, eventId: delivery.eventId, eventName: 'inquiry.approved' },
    ]);
  });

  it('answers a duplicate with 200 duplicate:true and does not run handlers again', async () => {
    const { pipeline, dispatcher } = setup();
    let runs = 0;
    dispatcher.onAny(() => {
      runs += 1;
    });
    const delivery = signedEvent({ name: 'inquiry.completed' });
    await pipeline.handle(request(delivery.body, delivery.headers));
    const second = await pipeline.handle(request(delivery.body, personaHeaders(delivery.body)));
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toEqual({ received: true, duplicate: true });
    expect(runs).toBe(1);
  });

  it('runs handlers once for 50 concurrent deliveries of one event; the others wait for its outcome', async () => {
    const { pipeline, dispatcher } = setup();
    let runs = 0;
    dispatcher.onAny(async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => pipeline.handle(request(delivery.body, delivery.headers))),
    );
    expect(runs).toBe(1);
    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(responses.filter((response) => parse(response.body).duplicate === true)).toHaveLength(49);
  });

  it('answers 500 handler_failed when a handler throws, and runs it again on the retry', async () => {
    const { pipeline, dispatcher, outcomes } = setup();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => consoleError.mockRestore());
    let calls = 0;
    dispatcher.on('inquiry.approved', () => {
      calls += 1;
      if (calls === 1) throw new Error('database down: Jane Example');
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const first = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(first.status).toBe(500);
    expect(parse(first.body).error?.code).toBe('handler_failed');
    expect(first.body).not.toContain('Jane');
    const retry = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(retry.status).toBe(200);
    expect(parse(retry.body).duplicate).toBeUndefined();
    expect(calls).toBe(2);
    expect(outcomes.map((o) => o.outcome)).toEqual(['handler_failed', 'accepted']);
  });

  it('reports a throwing handler on console.error by default: id, name, redacted message, no payload', async () => {
    const { pipeline, dispatcher } = setup();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => consoleError.mockRestore());
    dispatcher.on('inquiry.approved', (event) => {
      throw new Error(`CRM refused ${event.object.attributes.nameFirst}`);
    });
    const delivery = signedEvent({ name: 'inquiry.approved', inquiryId: 'inq_report01' });
    expect((await pipeline.handle(request(delivery.body, delivery.headers))).status).toBe(500);
    expect(consoleError).toHaveBeenCalledTimes(1);
    const [line] = consoleError.mock.calls[0] as [string];
    expect(line).toContain(`a handler failed for ${delivery.eventId} (inquiry.approved); answered 500`);
    expect(line).toContain('[Error: CRM refused [redacted]]');
    expect(line).toContain('dispatcher.onError');
    expect(line).not.toMatch(/Jane|1990|inq_report01/);
  });

  it('leaves reporting to an onError handler when one is registered', async () => {
    const { pipeline, dispatcher } = setup();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => consoleError.mockRestore());
    const reported: string[] = [];
    dispatcher.onError((error, event) => {
      reported.push(`${event.id}: ${error.errors.length}`);
    });
    dispatcher.on('inquiry.approved', () => {
      throw new Error('down');
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    expect((await pipeline.handle(request(delivery.body, delivery.headers))).status).toBe(500);
    expect(reported).toEqual([`${delivery.eventId}: 1`]);
    expect(consoleError).not.toHaveBeenCalled();
  });

  it('forgets the oldest ids beyond dedupeEntries', async () => {
    const { pipeline, dispatcher } = setup({ dedupeEntries: 2 });
    let runs = 0;
    dispatcher.onAny(() => {
      runs += 1;
    });
    const deliveries = [1, 2, 3].map(() => signedEvent({ name: 'inquiry.created' }));
    for (const d of deliveries) await pipeline.handle(request(d.body, d.headers));
    await pipeline.handle(request(deliveries[0]!.body, deliveries[0]!.headers)); // evicted: runs again
    await pipeline.handle(request(deliveries[2]!.body, deliveries[2]!.headers)); // remembered
    expect(runs).toBe(4);
  });

  it('answers 400 invalid_event for a correctly signed body that is not a Persona event', async () => {
    const { pipeline } = setup();
    const body = JSON.stringify({ hello: 'world' });
    const response = await pipeline.handle(request(body, personaHeaders(body)));
    expect(response.status).toBe(400);
    expect(parse(response.body).error?.code).toBe('invalid_event');
  });

  it('answers 405 with Allow: POST for other methods, without reading the body', async () => {
    const { pipeline } = setup();
    let read = false;
    const response = await pipeline.handle({
      method: 'GET',
      header: () => undefined,
      readBody: async () => {
        read = true;
        return new Uint8Array();
      },
    });
    expect(response.status).toBe(405);
    expect(response.headers['allow']).toBe('POST');
    expect(parse(response.body).error?.code).toBe('method_not_allowed');
    expect(read).toBe(false);
  });
});

describe('pipeline signature failures', () => {
  const delivery = signedEvent({ name: 'inquiry.approved' });
  const cases: Array<[string, Record<string, string>, string]> = [
    ['missing header', {}, 'missing_header'],
    ['malformed header', { 'persona-signature': 'sha256=abc' }, 'malformed_header'],
    [
      'stale timestamp',
      {
        'persona-signature': sign({
          secret: SECRET,
          body: delivery.body,
          timestamp: Math.floor(Date.now() / 1000) - 3600,
        }),
      },
      'timestamp_out_of_tolerance',
    ],
    [
      'wrong secret',
      { 'persona-signature': sign({ secret: 'wbhsec_other', body: delivery.body }) },
      'no_matching_signature',
    ],
  ];
  for (const [label, headers, reason] of cases) {
    it(`answers 401 invalid_signature (${reason}) for a ${label}, never echoing the secret`, async () => {
      const { pipeline, dispatcher, outcomes } = setup();
      let runs = 0;
      dispatcher.onAny(() => {
        runs += 1;
      });
      const response = await pipeline.handle(request(delivery.body, headers));
      expect(response.status).toBe(401);
      const error = parse(response.body).error;
      expect(error).toMatchObject({ code: 'invalid_signature', reason });
      expect(error?.message.length).toBeGreaterThan(20);
      expect(response.body).not.toContain(SECRET);
      expect(runs).toBe(0);
      expect(outcomes[0]).toMatchObject({ outcome: 'invalid_signature', reason });
    });
  }

  it('refuses a body changed after signing (re-serialised JSON)', async () => {
    const { pipeline } = setup();
    const reserialised = JSON.stringify(JSON.parse(delivery.body), null, 1);
    const response = await pipeline.handle(request(reserialised, delivery.headers));
    expect(response.status).toBe(401);
  });

  it('accepts any of several configured secrets (rotation)', async () => {
    const { pipeline } = setup({ secrets: ['wbhsec_old', SECRET] });
    const response = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(response.status).toBe(200);
  });

  it('refuses misconfiguration loudly at construction', () => {
    expect(() => createPipeline({ secrets: [] })).toThrow(TypeError);
    expect(() => createPipeline({ secrets: '' })).toThrow(TypeError);
    expect(() => createPipeline({ secrets: SECRET, maxBodyBytes: 0 })).toThrow(TypeError);
  });
});

describe('pipeline limits on what clients can make it hold', () => {
  it('reads at most maxConcurrentBodies bodies at once and answers the rest 503 receiver_busy before reading', async () => {
    const outcomes: OutcomeReport[] = [];
    const pipeline = createPipeline({
      secrets: SECRET,
      maxConcurrentBodies: 2,
      onOutcome: (report) => outcomes.push(report),
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const release: Array<() => void> = [];
    const slow = () => ({
      method: 'POST',
      header: (name: string) => delivery.headers[name],
      readBody: () =>
        new Promise<Uint8Array>((resolve) =>
          release.push(() => resolve(new TextEncoder().encode(delivery.body))),
        ),
    });
    const held = [pipeline.handle(slow()), pipeline.handle(slow())];
    let thirdRead = false;
    const third = await pipeline.handle({
      ...slow(),
      readBody: async () => {
        thirdRead = true;
        return new Uint8Array();
      },
    });
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    expect(parse(third.body).error?.code).toBe('receiver_busy');
    expect(thirdRead).toBe(false);
    expect(outcomes.map((o) => o.outcome)).toEqual(['busy']);
    for (const done of release) done();
    expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
    // The slots are free again.
    expect((await pipeline.handle(request(delivery.body, delivery.headers))).status).toBe(200);
  });

  it('counts a body that broke off as aborted (400 request_aborted), not as an internal error', async () => {
    const { pipeline, outcomes } = setup();
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await pipeline.handle({
      method: 'POST',
      header: (name: string) => delivery.headers[name],
      readBody: () => readLimited(brokenStream(), null, 1024),
    });
    expect(response.status).toBe(400);
    expect(parse(response.body).error?.code).toBe('request_aborted');
    expect(outcomes.map((o) => [o.outcome, o.code])).toEqual([['aborted', 'request_aborted']]);
  });
});

async function* brokenStream(): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode('{"data":');
  throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

describe('pipeline with a store', () => {
  it('refuses a store and a dispatcher together: handlers belong to the worker then', () => {
    const both = { secrets: SECRET, store: new MemoryInbox(), dispatcher: createDispatcher() };
    // @ts-expect-error a store and a dispatcher together is a type error
    expect(() => createPipeline(both)).toThrow(/either a store .* or a dispatcher .*not both/);
  });

  it('stores the event with its Persona delivery headers and answers 200 only after the store resolved', async () => {
    const inbox = new MemoryInbox();
    const { pipeline } = setup({ store: inbox, now: () => 1_700_000_000_000 });
    const delivery = signedEvent({
      name: 'inquiry.approved',
      inquiryId: 'inq_A',
      createdAt: new Date(1_699_999_999_000),
    });
    const headers = {
      ...delivery.headers,
      'persona-signature': sign({ secret: SECRET, body: delivery.body, timestamp: 1_700_000_000 }),
    };
    const response = await pipeline.handle(request(delivery.body, headers));
    expect(response.status).toBe(200);
    const row = inbox.events.get(delivery.eventId);
    expect(row).toMatchObject({
      name: 'inquiry.approved',
      objectType: 'inquiry',
      objectId: 'inq_A',
      inquiryId: 'inq_A',
      attemptsMade: 1,
      attemptsLeft: 7,
      receivedAtMs: 1_700_000_000_000,
    });
    expect(new TextDecoder().decode(row?.body)).toBe(delivery.body);
  });

  it('answers a stored duplicate with 200 duplicate:true', async () => {
    const inbox = new MemoryInbox();
    const { pipeline } = setup({ store: inbox });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    await pipeline.handle(request(delivery.body, delivery.headers));
    const second = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(JSON.parse(second.body)).toEqual({ received: true, duplicate: true });
    expect(inbox.events.size).toBe(1);
  });

  it('answers 503 store_unavailable when the store cannot take the write', async () => {
    const inbox = new MemoryInbox();
    inbox.failing = true;
    const { pipeline, outcomes } = setup({ store: inbox });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(response.status).toBe(503);
    expect(parse(response.body).error?.code).toBe('store_unavailable');
    expect(outcomes[0]?.outcome).toBe('unavailable');
  });

  it('answers 500 internal_error, leaking nothing, when the store fails unexpectedly', async () => {
    const { pipeline } = setup({
      store: {
        ingest: async () => {
          throw new Error('secret detail');
        },
        quarantine: async () => 'stored',
      },
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(response.status).toBe(500);
    expect(parse(response.body).error?.code).toBe('internal_error');
    expect(response.body).not.toContain('secret detail');
  });

  it('quarantines an event whose row the store refuses (202), instead of answering 503 forever', async () => {
    const inbox = new MemoryInbox();
    const { pipeline, outcomes } = setup({
      store: {
        ingest: async () => {
          throw new EventRejectedError(Object.assign(new Error('bad byte sequence'), { code: '22021' }));
        },
        quarantine: (body) => inbox.quarantine(body),
      },
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await pipeline.handle(request(delivery.body, delivery.headers));
    expect(response.status).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ received: true, quarantined: true });
    expect(outcomes.map((o) => o.outcome)).toEqual(['quarantined']);
    const [row] = [...inbox.quarantined.values()];
    expect(row?.reason).toBe(
      "rejected by the store: The event store refused this event's row (22021); it was not stored.",
    );
    expect(row?.reason).not.toContain('bad byte sequence');
  });

  it('keeps a signed non-event as quarantined (202), deduplicated by its hash', async () => {
    const inbox = new MemoryInbox();
    const { pipeline } = setup({ store: inbox });
    const body = JSON.stringify({ data: { type: 'event' } });
    const first = await pipeline.handle(request(body, personaHeaders(body)));
    const second = await pipeline.handle(request(body, personaHeaders(body)));
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(inbox.quarantined.size).toBe(1);
    const [row] = [...inbox.quarantined.values()];
    expect(row?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.reason).toMatch(/^malformed: /);
  });
});

describe('signed ping', () => {
  it('answers a correctly signed ping 200 ping:true and stores nothing', async () => {
    const store = new MemoryInbox();
    const { pipeline, outcomes } = setup({ store });
    const body = buildPingBody();
    const response = await pipeline.handle(request(body, personaHeaders(body)));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ received: true, ping: true });
    expect(store.events.size + store.quarantined.size).toBe(0);
    expect(outcomes).toMatchObject([{ outcome: 'ping', status: 200 }]);
  });

  it('refuses a ping signed with another secret, like any delivery', async () => {
    const store = new MemoryInbox();
    const { pipeline } = setup({ store });
    const body = buildPingBody();
    const response = await pipeline.handle(request(body, personaHeaders(body, 'wbhsec_other')));
    expect(response.status).toBe(401);
    expect(parse(response.body).error?.code).toBe('invalid_signature');
  });

  it('answers a ping in inline mode too, without running handlers', async () => {
    const { pipeline, dispatcher } = setup();
    let runs = 0;
    dispatcher.onAny(() => {
      runs += 1;
    });
    const body = buildPingBody();
    const response = await pipeline.handle(request(body, personaHeaders(body)));
    expect(JSON.parse(response.body)).toEqual({ received: true, ping: true });
    expect(runs).toBe(0);
  });
});
