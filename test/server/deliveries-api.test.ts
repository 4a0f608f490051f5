/**
 * The deliveries API in process over a real SQLite store: endpoints without secret values (and with
 * their backlog on request), the outbound messages filtered and paged with the decision read from
 * their body, one message with its attempts, replay outcomes with the events replay's origin rule,
 * and 404s — and no answer ever carries a signing secret.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';
import {
  FAILING_ENDPOINT,
  HEALTHY_ENDPOINT,
  SEEDED_SECRET,
  type SeededOutbox,
  seedOutbox,
} from '../helpers/outbox-seed.js';

const TOKEN = 'deliveries-api-test-token-0123456789';
const HOST = 'dash.test';
const ORIGIN = `http://${HOST}`;
let dir: string;
let store: ServiceStore;
let app: FastifyInstance;
let seeded: SeededOutbox;
/** Every body answered in a test, checked for secrets afterwards. */
let answered: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-deliveries-api-'));
  store = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await store.migrate();
  seeded = await seedOutbox(store, {
    failingUrl: 'http://127.0.0.1:9/hooks',
    healthyUrl: 'https://app:hunter2-password@app.example/persona',
  });
  app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'silent', pretty: false }),
    adminToken: TOKEN,
    invalidSignatures: new MinuteCounter(Date.now()),
    // Every answer is held to the schema /openapi.json gives it.
    checkAnswers: true,
  });
  await app.ready();
  answered = [];
});

afterEach(async () => {
  for (const body of answered) {
    expect(body).not.toContain(SEEDED_SECRET);
    expect(body).not.toContain('whsec_');
    expect(body).not.toContain('hunter2');
  }
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const request = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}) => {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${TOKEN}`, ...headers },
  });
  answered.push(response.body);
  return { status: response.statusCode, json: response.json() };
};
const get = (url: string) => request('GET', url);
const post = (url: string) => request('POST', url);

type Delivery = {
  id: string;
  endpointId: string;
  referenceId: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  decision: string | null;
  previousDecision: string | null;
};

describe('GET /api/endpoints', () => {
  it('lists the endpoints with when their secrets expire, never a secret value nor a URL password', async () => {
    const { status, json } = await get('/api/endpoints');
    expect(status).toBe(200);
    const byId = Object.fromEntries(
      (json.endpoints as Array<{ id: string }>).map((endpoint) => [endpoint.id, endpoint]),
    );
    expect(byId[FAILING_ENDPOINT]).toEqual({
      id: FAILING_ENDPOINT,
      url: 'http://127.0.0.1:9/hooks',
      enabled: true,
      source: 'cli',
      createdAt: new Date(seeded.baseMs - 60_000).toISOString(),
      secrets: [{ expiresAt: null }],
    });
    expect(byId[HEALTHY_ENDPOINT]).toMatchObject({ url: 'https://app:***@app.example/persona' });
  });

  it("counts each endpoint's pending and dead messages and gives its newest error, on request", async () => {
    const { json } = await get('/api/endpoints?backlog=true');
    const backlog = Object.fromEntries(
      (json.endpoints as Array<{ id: string; backlog: unknown }>).map((e) => [e.id, e.backlog]),
    );
    expect(backlog[FAILING_ENDPOINT]).toEqual({
      pending: 3,
      dead: 1,
      countsCapped: false,
      // user-wait's first message, the newest with an error.
      lastError: 'connection failed (ECONNREFUSED)',
      lastStatusCode: null,
    });
    expect(backlog[HEALTHY_ENDPOINT]).toEqual({
      pending: 0,
      dead: 0,
      countsCapped: false,
      lastError: null,
      lastStatusCode: null,
    });
    expect((await get('/api/endpoints?backlog=yes')).status).toBe(400);
  });
});

describe('GET /api/deliveries', () => {
  it('lists every message newest first, with the decision and the previous one from its body', async () => {
    const { status, json } = await get('/api/deliveries');
    expect(status).toBe(200);
    const deliveries = json.deliveries as Delivery[];
    expect(deliveries).toHaveLength(8); // 4 decision changes × 2 endpoints
    expect(json.nextCursor).toBeNull();
    const retrying = deliveries.find((d) => d.id === seeded.retrying);
    expect(retrying).toEqual({
      id: seeded.retrying,
      endpointId: FAILING_ENDPOINT,
      referenceId: 'user-retry',
      status: 'pending',
      attempts: 2,
      createdAt: new Date(seeded.baseMs + 1).toISOString(),
      nextAttemptAt: new Date(seeded.retryAtMs).toISOString(),
      deliveredAt: null,
      lastStatusCode: null,
      lastError: 'connection failed (ECONNREFUSED)',
      decision: 'approved',
      previousDecision: null,
    });
    expect(deliveries.find((d) => d.id === seeded.waiting)).toMatchObject({
      status: 'pending',
      attempts: 0,
      decision: 'approved',
      previousDecision: 'pending',
    });
    expect(deliveries.find((d) => d.id === seeded.delivered)).toMatchObject({
      status: 'delivered',
      lastStatusCode: 200,
      nextAttemptAt: null,
      deliveredAt: expect.any(String),
    });
    // Newest first: user-wait's second change is the newest.
    expect(deliveries[0]!.referenceId).toBe('user-wait');
    expect(deliveries.at(-1)!.referenceId).toBe('user-retry');
  });

  it('filters by status, endpoint and user', async () => {
    const ids = async (query: string) =>
      ((await get(`/api/deliveries?${query}`)).json.deliveries as Delivery[]).map((d) => d.id);
    expect(await ids('status=dead')).toEqual([seeded.dead]);
    expect(await ids(`status=delivered&endpointId=${FAILING_ENDPOINT}`)).toEqual([]);
    expect(await ids(`endpointId=${FAILING_ENDPOINT}&referenceId=user-retry`)).toEqual([seeded.retrying]);
    expect((await ids(`endpointId=${HEALTHY_ENDPOINT}`)).length).toBe(4);
    expect((await ids('referenceId=user-wait')).length).toBe(4);
    expect(await ids('referenceId=nobody')).toEqual([]);
  });

  it('pages with the cursor, and refuses a bad status, limit or cursor with a 400 naming the field', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { json } = await get(`/api/deliveries?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...(json.deliveries as Delivery[]).map((d) => d.id));
      cursor = json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    const all = ((await get('/api/deliveries')).json.deliveries as Delivery[]).map((d) => d.id);
    expect(seen).toEqual(all);

    for (const [query, field] of [
      ['status=failed', 'status'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${Buffer.from('-4').toString('base64url')}`, 'cursor'],
    ] as const) {
      const { status, json } = await get(`/api/deliveries?${query}`);
      expect(status, query).toBe(400);
      expect(json.error.code, query).toBe('invalid_request');
      expect(json.error.message, query).toContain(field);
    }
  });
});

describe('GET /api/deliveries/:id', () => {
  it('gives the message with its body and every attempt, oldest first', async () => {
    const { status, json } = await get(`/api/deliveries/${seeded.retrying}`);
    expect(status).toBe(200);
    expect(json).toMatchObject({ id: seeded.retrying, status: 'pending', attempts: 2, decision: 'approved' });
    expect(json.payload).toMatchObject({
      type: 'kyc.decision_changed',
      data: {
        referenceId: 'user-retry',
        decision: 'approved',
        previousDecision: null,
        inquiryId: 'inq_user-retry',
      },
    });
    expect(json.attemptLog).toEqual([
      {
        attempt: 1,
        startedAt: new Date(seeded.baseMs + 1_000).toISOString(),
        durationMs: 41,
        statusCode: 503,
        error: 'HTTP 503',
        responseExcerpt: null,
        requestHeaders: null,
        interrupted: false,
      },
      {
        attempt: 2,
        startedAt: new Date(seeded.baseMs + 7_000).toISOString(),
        durationMs: 2,
        statusCode: null,
        error: 'connection failed (ECONNREFUSED)',
        responseExcerpt: null,
        requestHeaders: null,
        interrupted: false,
      },
    ]);
    // The body is the decision change only: no Persona payload, no personal data.
    expect(JSON.stringify(json)).not.toContain('Jane');
  });

  it('answers 404 not_found for an unknown message, and 400 for an id longer than any id', async () => {
    const { status, json } = await get('/api/deliveries/msg_unknown');
    expect(status).toBe(404);
    expect(json.error.code).toBe('not_found');
    expect((await get(`/api/deliveries/${'x'.repeat(301)}`)).status).toBe(400);
  });
});

describe('POST /api/deliveries/:id/replay', () => {
  it('puts a dead or delivered message back with a fresh set of attempts; a queued one is already_queued', async () => {
    const dead = await post(`/api/deliveries/${seeded.dead}/replay`);
    expect(dead).toEqual({ status: 202, json: { outcome: 'replayed' } });
    const after = (await get(`/api/deliveries/${seeded.dead}`)).json;
    expect(after).toMatchObject({ status: 'pending', attempts: 0 });
    expect(Date.parse(after.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    // The history stays.
    expect(after.attemptLog).toHaveLength(1);
    expect(await post(`/api/deliveries/${seeded.dead}/replay`)).toEqual({
      status: 200,
      json: { outcome: 'already_queued' },
    });
    expect(await post(`/api/deliveries/${seeded.delivered}/replay`)).toEqual({
      status: 202,
      json: { outcome: 'replayed' },
    });
    expect(await post(`/api/deliveries/${seeded.retrying}/replay`)).toEqual({
      status: 200,
      json: { outcome: 'already_queued' },
    });
    const unknown = await post('/api/deliveries/msg_unknown/replay');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
  });

  it('refuses a replay with the dashboard cookie from another origin, like the events replay', async () => {
    const signIn = await app.inject({
      method: 'POST',
      url: '/admin/session',
      headers: { host: HOST, origin: ORIGIN },
      payload: { token: TOKEN },
    });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const replay = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: `/api/deliveries/${seeded.dead}/replay`,
        headers: { host: HOST, cookie, ...headers },
      });
    const refused: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      {},
      { origin: ORIGIN, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refused) {
      const response = await replay(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
    }
    expect((await store.getDelivery(seeded.dead))?.status).toBe('dead');
    expect((await replay({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(202);
  });

  it('needs the admin token', async () => {
    for (const url of ['/api/endpoints', '/api/deliveries', `/api/deliveries/${seeded.dead}`]) {
      expect((await app.inject({ url })).statusCode, url).toBe(401);
    }
    const replay = await app.inject({ method: 'POST', url: `/api/deliveries/${seeded.dead}/replay` });
    expect(replay.statusCode).toBe(401);
    expect((await store.getDelivery(seeded.dead))?.status).toBe('dead');
  });
});
