/**
 * The admin API's dashboard endpoints in process: the overview equals what the store says, filters
 * are validated, batch replay only touches done or dead events, and a missing payload says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { buildApp } from '../../packages/server/src/server/app.js';
import { createLogger } from '../../packages/server/src/server/logger.js';
import { createMetrics } from '../../packages/server/src/server/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/minute-counter.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { claimOne, inboxEvent, inquiryUpdate, quarantinedBody } from '../store/store-fixtures.js';

const TOKEN = 'admin-api-test-token-0123456789';
const DAY = 24 * 3600_000;
let dir: string;
let store: Store;
let app: FastifyInstance;
let invalidSignatures: MinuteCounter;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-admin-api-'));
  store = createSqliteFileStore(join(dir, 'db.sqlite'));
  await store.migrate();
  invalidSignatures = new MinuteCounter(Date.now() - 2 * DAY);
  app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'silent', pretty: false }),
    adminToken: TOKEN,
    invalidSignatures,
    retentionMs: 30 * DAY,
  });
  await app.ready();
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string) => {
  const response = await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: response.statusCode, json: response.json() };
};
const post = async (url: string, payload?: unknown) => {
  const response = await app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${TOKEN}` },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, json: response.json() };
};

describe('GET /api/overview', () => {
  it('reports counts, per-minute arrivals, the oldest open event, the last arrival and invalid signatures', async () => {
    const now = Date.now();
    const minute = (ms: number) => Math.floor(ms / 60_000) * 60_000;
    await store.ingest(inboxEvent('evt_old', { receivedAtMs: now - 2 * DAY, createdAtMs: now - 2 * DAY }));
    await store.complete(await claimOne(store, now, 60_000), [], now); // evt_old is done
    await store.ingest(
      inboxEvent('evt_a', { receivedAtMs: now - 10 * 60_000, createdAtMs: now - 10 * 60_000 }),
    );
    await store.ingest(inboxEvent('evt_b', { receivedAtMs: now - 60_000, createdAtMs: now - 60_000 }));
    await store.quarantine(quarantinedBody('x', now - 30_000));
    invalidSignatures.add(now - 5_000);
    invalidSignatures.add(now - 3 * DAY); // outside the window

    const { status, json } = await get('/api/overview');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      counts: { pending: 2, processing: 0, done: 1, dead: 1 },
      deadLetters: 1,
      received24h: 3,
      invalidSignatures24h: 1,
      oldestPendingReceivedAt: new Date(now - 10 * 60_000).toISOString(),
      lastReceivedAt: new Date(now - 30_000).toISOString(),
      reconciliation: null,
    });
    expect(json.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(600);
    expect(json.oldestPendingAgeSeconds).toBeLessThan(620);
    expect(Date.parse(json.invalidSignaturesSince)).toBeGreaterThanOrEqual(now - DAY - 1_000);
    const minutes = json.receivedPerMinute as { minute: string; count: number }[];
    expect(minutes.map((m) => m.minute)).toEqual(
      [...new Set([now - 10 * 60_000, now - 60_000, now - 30_000].map(minute))].map((ms) =>
        new Date(ms).toISOString(),
      ),
    );
    expect(minutes.reduce((sum, m) => sum + m.count, 0)).toBe(3);
  });

  it('needs the token', async () => {
    expect((await app.inject({ url: '/api/overview' })).statusCode).toBe(401);
  });
});

describe('GET /api/events filters', () => {
  it('filters by received time and exact id, and refuses a malformed time', async () => {
    const now = Date.now();
    await store.ingest(inboxEvent('evt_1', { receivedAtMs: now - 3_000, referenceId: 'user-9' }));
    await store.ingest(inboxEvent('evt_2', { receivedAtMs: now - 1_000 }));
    const from = new Date(now - 2_000).toISOString();
    expect((await get(`/api/events?from=${from}`)).json.events.map((e: { id: string }) => e.id)).toEqual([
      'evt_2',
    ]);
    expect((await get(`/api/events?to=${from}`)).json.events.map((e: { id: string }) => e.id)).toEqual([
      'evt_1',
    ]);
    const byUser = await get('/api/events?q=user-9');
    expect(byUser.json.events).toEqual([
      expect.objectContaining({ id: 'evt_1', referenceId: 'user-9', inquiryId: 'inq_1' }),
    ]);
    const bad = await get('/api/events?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('POST /api/events/replay', () => {
  it('replays the done and dead ones among the ids, and names the rest', async () => {
    const now = Date.now();
    await store.ingest(inboxEvent('evt_dead', { receivedAtMs: now }));
    await store.fail(await claimOne(store, now), 'boom', null, now);
    await store.ingest(inboxEvent('evt_pending', { receivedAtMs: now }));
    const { status, json } = await post('/api/events/replay', {
      ids: ['evt_dead', 'evt_pending', 'evt_nope', 'evt_dead'],
    });
    expect(status).toBe(202);
    expect(json).toEqual({ replayed: 1, skipped: ['evt_pending', 'evt_nope'] });
    expect((await store.getEvent('evt_dead'))?.status).toBe('pending');
    expect((await post('/api/events/replay', { ids: [] })).status).toBe(400);
    expect((await post('/api/events/replay', { ids: Array(501).fill('evt_x') })).status).toBe(400);
  });
});

describe('GET /api/events/:id payload state', () => {
  it('says present, purged by retention (and about when), or redacted (and when)', async () => {
    const now = Date.now();
    await store.ingest(inboxEvent('evt_kept', { receivedAtMs: now }));
    expect((await get('/api/events/evt_kept')).json).toMatchObject({
      payloadState: 'present',
      payloadRemovedAt: null,
    });

    await store.ingest(inboxEvent('evt_aged', { inquiryId: null, receivedAtMs: now - 40 * DAY }));
    await store.purgeBodies(now - 30 * DAY);
    expect((await get('/api/events/evt_aged')).json).toMatchObject({
      payload: null,
      payloadState: 'purged',
      payloadRemovedAt: new Date(now - 10 * DAY).toISOString(),
    });

    await store.ingest(inboxEvent('evt_redacted', { inquiryId: 'inq_r', receivedAtMs: now }));
    const claims = await store.claim({ limit: 10, leaseMs: 60_000, nowMs: now });
    const redactedAtMs = now - 1_000;
    await store.complete(
      claims.find((c) => c.id === 'evt_redacted')!,
      [
        inquiryUpdate({ eventId: 'evt_redacted', inquiryId: 'inq_r', redactedAtMs }),
        { kind: 'scrub', inquiryId: 'inq_r', accountId: null },
      ],
      now,
    );
    expect((await get('/api/events/evt_redacted')).json).toMatchObject({
      payload: null,
      payloadState: 'redacted',
      payloadRemovedAt: new Date(redactedAtMs).toISOString(),
    });
  });
});

describe('GET /api/events/:id attempt log after a replay', () => {
  it('numbers every attempt apart and marks where each replay started a new run', async () => {
    const now = Date.now();
    await store.ingest(inboxEvent('evt_twice', { receivedAtMs: now }));
    await store.fail(await claimOne(store, now), 'first try failed', now + 10, now); // retry
    await store.fail(await claimOne(store, now + 20), 'second try failed', null, now + 30); // dead
    expect(await store.replay('evt_twice', now + 40)).toBe('replayed');
    await store.complete(await claimOne(store, now + 50), [], now + 60);

    const { json } = await get('/api/events/evt_twice');
    const log = (json as { attemptLog: Array<Record<string, unknown>> }).attemptLog;
    expect(
      log.map(({ number, run, attempt, replayed, outcome }) => ({ number, run, attempt, replayed, outcome })),
    ).toEqual([
      { number: 1, run: 1, attempt: 1, replayed: false, outcome: 'retry' },
      { number: 2, run: 1, attempt: 2, replayed: false, outcome: 'dead' },
      { number: 3, run: 2, attempt: 1, replayed: true, outcome: 'done' },
    ]);
    expect(json).toMatchObject({ source: 'webhook' });
  });
});

describe('GET /', () => {
  it('redirects a browser to the dashboard; other unknown paths keep their JSON 404', async () => {
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers['location']).toBe('/admin');
    const unknown = await app.inject({ url: '/nothing-here' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
