/**
 * A body is parsed once: the worker of the process that ingested it reuses the JSON ingest parsed, and
 * only when the bytes it claimed are the bytes that JSON came from.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import type { PersonaEvent } from '../../packages/persona-webhooks/src/events/event.js';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import {
  HANDOFF_LIMIT,
  leaveParsedBody,
  takeParsedBody,
  withdrawParsedBody,
} from '../../packages/persona-webhooks/src/events/parsed-handoff.js';
import { createPipeline } from '../../packages/persona-webhooks/src/pipeline/create-pipeline.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { personaHeaders, SECRET } from '../helpers/deliveries.js';
import { ingestBuilt, openTempStore, type TempStore } from './temp-store.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const withoutRaw = ({ raw: _raw, ...event }: PersonaEvent) => event;

function deliver(pipeline: ReturnType<typeof createPipeline>, body: string) {
  return pipeline.handle({
    method: 'POST',
    header: (name) => personaHeaders(body)[name],
    readBody: async () => bytes(body),
  });
}

describe('the parsed-body handoff', () => {
  it('hands a root over once, withdraws only its own, and keeps at most HANDOFF_LIMIT', () => {
    const store = {};
    const root = { data: {} };
    leaveParsedBody(store, 'evt_1', bytes('{}'), root);
    expect(takeParsedBody({}, 'evt_1')).toBeUndefined(); // another store shares nothing
    expect(takeParsedBody(store, 'evt_1')?.root).toBe(root);
    expect(takeParsedBody(store, 'evt_1')).toBeUndefined(); // never read twice

    leaveParsedBody(store, 'evt_2', bytes('{}'), root);
    withdrawParsedBody(store, 'evt_2', { other: true });
    expect(takeParsedBody(store, 'evt_2')?.root).toBe(root);

    for (let i = 0; i <= HANDOFF_LIMIT; i++) leaveParsedBody(store, `evt_n${i}`, bytes('{}'), { i });
    expect(takeParsedBody(store, 'evt_n0')).toBeUndefined(); // the oldest went
    expect(takeParsedBody(store, `evt_n${HANDOFF_LIMIT}`)?.root).toEqual({ i: HANDOFF_LIMIT });
    expect(takeParsedBody(store, 'evt_n1')?.root).toEqual({ i: 1 }); // the rest stayed
  });

  it('keeps one entry per id: a second body under the same id replaces the first', () => {
    const store = {};
    leaveParsedBody(store, 'evt_same', bytes('{"a":1}'), { first: true });
    leaveParsedBody(store, 'evt_other', bytes('{}'), { other: true });
    leaveParsedBody(store, 'evt_same', bytes('{"a":2}'), { second: true });
    expect(takeParsedBody(store, 'evt_same')?.root).toEqual({ second: true });
    expect(takeParsedBody(store, 'evt_same')).toBeUndefined(); // the first is gone too
    expect(takeParsedBody(store, 'evt_other')?.root).toEqual({ other: true });
  });

  it('never holds more than HANDOFF_LIMIT entries, however many are taken or withdrawn between', () => {
    const store = {};
    for (let i = 0; i < 3 * HANDOFF_LIMIT; i++) {
      const root = { i };
      leaveParsedBody(store, `evt_${i}`, bytes('{}'), root);
      if (i % 3 === 0) expect(takeParsedBody(store, `evt_${i}`)?.root).toBe(root);
      if (i % 3 === 1) withdrawParsedBody(store, `evt_${i}`, root);
    }
    const left = Array.from({ length: 3 * HANDOFF_LIMIT }, (_, i) =>
      takeParsedBody(store, `evt_${i}`),
    ).filter((entry) => entry !== undefined);
    // Every third was left in place; of those, only the ones among the last HANDOFF_LIMIT bodies remain.
    const expected = Array.from({ length: 3 * HANDOFF_LIMIT }, (_, i) => i).filter(
      (i) => i % 3 === 2 && i >= 2 * HANDOFF_LIMIT,
    );
    expect(left.map((entry) => (entry.root as { i: number }).i)).toEqual(expected);
  });
});

describe('a body ingested and processed in one process', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await openTempStore();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await temp.dispose();
  });

  async function processed(store: TempStore['store']): Promise<{ events: PersonaEvent[]; parses: string[] }> {
    const events: PersonaEvent[] = [];
    const dispatcher = createDispatcher();
    dispatcher.onAny((event) => {
      events.push(event);
    });
    const parses: string[] = [];
    const parse = JSON.parse;
    vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver) => {
      parses.push(text);
      return parse(text, reviver);
    });
    await createWorker({ store, dispatcher }).drain();
    vi.restoreAllMocks();
    return { events, parses };
  }

  it('is parsed once, and the worker sees the same event as from the bytes', async () => {
    const { store } = temp;
    const built = buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_once', referenceId: 'user-once' });
    const parse = JSON.parse;
    let ingestParses = 0;
    vi.spyOn(JSON, 'parse').mockImplementation((text: string, reviver) => {
      if (text === built.body) ingestParses++;
      return parse(text, reviver);
    });
    expect((await deliver(createPipeline({ secrets: SECRET, store }), built.body)).status).toBe(200);
    vi.restoreAllMocks();
    expect(ingestParses).toBe(1);

    const { events, parses } = await processed(store);
    expect(parses.filter((text) => text === built.body)).toHaveLength(0);
    expect(events).toHaveLength(1);
    const expected = parseEvent(bytes(built.body));
    if (!expected.ok) throw new Error(expected.reason);
    const { raw, ...event } = events[0]!;
    expect(event).toEqual(withoutRaw(expected.event));
    expect(new TextDecoder().decode(raw)).toBe(built.body);
  });

  it('parses the stored bytes when a redelivery under the same id was another body', async () => {
    const { store } = temp;
    const built = buildEvent({ name: 'inquiry.approved', inquiryId: 'inq_two', referenceId: 'user-two' });
    await ingestBuilt(store, built);
    // The same event id from a second webhook with a different body: a duplicate, never handed over.
    const other = built.body.replace('"inquiry.approved"', '"inquiry.approved" ');
    expect(other).not.toBe(built.body);
    const pipeline = createPipeline({ secrets: SECRET, store });
    expect(await (await deliver(pipeline, other)).body).toContain('duplicate');

    const { events, parses } = await processed(store);
    expect(parses.filter((text) => text === built.body)).toHaveLength(1);
    expect(events.map((event) => new TextDecoder().decode(event.raw))).toEqual([built.body]);
  });
});
