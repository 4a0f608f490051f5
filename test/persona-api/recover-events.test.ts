/**
 * Recovery (what reconciliation and `backfill` run) against the emulator over real HTTP: the page size
 * survives Persona's cursor-only next links, and every API version's event shape is stored and parses.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { recoverEvents } from '../../packages/server/src/reconcile/recover-events.js';
import { type Emulator, emulatorClient, startTestEmulator } from '../helpers/emulator.js';
import { openTempStore, type TempStore } from '../worker/temp-store.js';

let emulator: Emulator | undefined;
let temp: TempStore | undefined;
afterEach(async () => {
  await emulator?.close();
  await temp?.dispose();
  emulator = undefined;
  temp = undefined;
});

const fixture = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as {
      data: Record<string, unknown>;
    }
  ).data;

describe('recoverEvents', () => {
  it('reads N events in ceil(N / page size) calls through the emulator’s cursor-only next links', async () => {
    emulator = await startTestEmulator();
    temp = await openTempStore();
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 250; i++) {
      emulator.state.recordEvent({
        name: 'inquiry.approved',
        createdAt: new Date(start + i * 1000),
        deliver: false,
      });
    }
    const summary = await recoverEvents({
      client: emulatorClient(emulator),
      store: temp.store,
      sinceMs: start,
      pageSize: 100,
    });
    expect(summary).toMatchObject({ fetched: 250, stored: 250, pages: 3 });
    expect(emulator.state.requests).toHaveLength(Math.ceil(250 / 100));
  });

  it('stores and parses every API version’s shape: inflected or verbatim fields, no included, a context', async () => {
    emulator = await startTestEmulator();
    temp = await openTempStore();
    const shapes = [
      'inquiry.approved.docs-sample.json',
      'inquiry.approved.2023-01-05.camel.json',
      'inquiry.approved.2025-10-27.camel.json',
      'account.added-relation.2026-01-12.json',
    ];
    // Distinct ids: the two inquiry variants share the sample's event id.
    const ids = shapes.map((name, i) => {
      const resource = { ...fixture(name), id: `evt_shape_${i}` };
      return emulator!.state.recordResource(resource, { deliver: false }).id;
    });
    const summary = await recoverEvents({
      client: emulatorClient(emulator),
      store: temp.store,
      sinceMs: Date.UTC(2024, 0, 1),
    });
    expect(summary).toMatchObject({ fetched: 4, stored: 4, quarantined: 0 });
    const parsed = [];
    for (const id of ids) {
      const stored = await temp.store.getEvent(id);
      expect(stored?.source).toBe('api');
      const result = parseEvent(stored!.payload!);
      if (!result.ok) throw new Error(`${id}: ${result.reason}`);
      parsed.push(result.event);
    }
    expect(parsed.map((event) => event.name)).toEqual([
      'inquiry.approved',
      'inquiry.approved',
      'inquiry.approved',
      'account.added-relation',
    ]);
    expect(parsed[3]!.context).toEqual({
      relationSchemaKey: 'household-member',
      relatedAccountId: 'act_Jd4sLp9QwXn2Bt6Ry8Mk3Vc7',
    });
    expect(parsed[2]!.included).toEqual([]);
  });
});
