/**
 * The admin API's dashboard endpoints in process: the overview equals what the store says, filters
 * are validated, batch replay only touches done or dead events, a missing payload says why, and a
 * user's decision comes with its reasons, cases and reports, users are listed by decision (the review
 * queue), and the overview and a metric count users by decision.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline, createWorker } from '../../packages/persona-webhooks/src/index.js';
import type { BuildEventOptions } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { kycPageSchema } from '../../packages/server/src/server/admin-api/kyc-list-view.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';
import { signedEvent } from '../helpers/deliveries.js';
import { postgresReachable } from '../helpers/postgres.js';
import { openTestPostgresServiceStore } from '../helpers/postgres-service-store.js';
import { claimOne, inboxEvent, inquiryUpdate, quarantinedBody } from '../store/store-fixtures.js';

const TOKEN = 'admin-api-test-token-0123456789';
const DAY = 24 * 3600_000;
let dir: string;
let store: ServiceStore;
let closeStore: () => Promise<void>;
let app: FastifyInstance;
let invalidSignatures: MinuteCounter;
const postgres = await postgresReachable();

/** Serves the admin API over `opened.store`; `cleanup` closes that store (and whatever it needs). */
async function startApp(opened: { store: ServiceStore; cleanup: () => Promise<void> }): Promise<void> {
  store = opened.store;
  closeStore = opened.cleanup;
  invalidSignatures = new MinuteCounter(Date.now() - 2 * DAY);
  app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'silent', pretty: false }),
    adminToken: TOKEN,
    invalidSignatures,
    retentionMs: 30 * DAY,
    // Every answer is held to the schema /openapi.json gives it.
    checkAnswers: true,
  });
  await app.ready();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-admin-api-'));
  const sqlite = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await sqlite.migrate();
  await startApp({ store: sqlite, cleanup: () => sqlite.close() });
});

afterEach(async () => {
  await app.close();
  await closeStore();
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

/** Signs and posts realistic events through the webhook route, then lets a worker process them all. */
function deliverAndProcess(...events: BuildEventOptions[]): Promise<string[]> {
  return deliverAndProcessAt(undefined, ...events);
}

/**
 * {@link deliverAndProcess} with the worker's clock at `nowMs` (when given): the decision changes it
 * makes happen then. It must not be before the events were received, or none is due.
 */
async function deliverAndProcessAt(
  nowMs: number | undefined,
  ...events: BuildEventOptions[]
): Promise<string[]> {
  const ids: string[] = [];
  for (const options of events) {
    const event = signedEvent(options, 'wbhsec_test');
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/persona',
      headers: { ...event.headers, 'content-type': 'application/json' },
      payload: event.body,
    });
    expect(response.statusCode).toBe(200);
    ids.push(event.eventId);
  }
  const worker = createWorker({ store, ...(nowMs === undefined ? {} : { now: () => nowMs }) });
  while ((await worker.runOnce()) > 0) {}
  // PostgreSQL decides in passes after the facts commit: a read of decisions waits for them, so the
  // next delivery's decision changes are never recorded together with these.
  await store.countDecisions();
  return ids;
}

describe('GET /api/kyc/:referenceId decision', () => {
  const hour = 3600_000;
  const base = Date.now() - 10 * hour;
  const at = (hours: number) => new Date(base + hours * hour);

  it('answers for a user known only by their account and an open case, and 404 for one not known at all', async () => {
    const [, opened] = await deliverAndProcess(
      { name: 'account.status-updated', referenceId: 'user-early', accountId: 'act_early', createdAt: at(0) },
      {
        name: 'case.created',
        referenceId: null,
        accountId: 'act_early',
        caseId: 'case_early',
        createdAt: at(1),
      },
    );
    const { status, json } = await get('/api/kyc/user-early');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      referenceId: 'user-early',
      decision: 'needs_review',
      status: null,
      inquiryId: null,
      updatedAt: null,
      inquiries: [],
      cases: [expect.objectContaining({ caseId: 'case_early', status: 'open' })],
      accounts: [expect.objectContaining({ accountId: 'act_early' })],
    });
    expect(json.reasons).toEqual([
      expect.objectContaining({ code: 'case_open', eventId: opened }),
      expect.objectContaining({ code: 'no_inquiry', fact: 'inquiry', eventId: '', at: null }),
    ]);
    const unknown = await get('/api/kyc/nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      error: { code: 'not_found', message: 'User with reference id "nobody" was not found.' },
    });
  });

  it('says needs_review when a watchlist report matches after the approval, naming the report and its event', async () => {
    const user = { referenceId: 'user-watch', inquiryId: 'inq_watch', accountId: 'act_watch' };
    const [approved, matched, opened] = await deliverAndProcess(
      { ...user, name: 'inquiry.approved', createdAt: at(0) },
      { ...user, name: 'report/watchlist.matched', reportId: 'rep_watch', createdAt: at(2) },
      // A case of the account only: no reference id, no inquiry on the event row.
      { name: 'case.created', caseId: 'case_watch', accountId: 'act_watch', createdAt: at(3) },
    );
    const { status, json } = await get('/api/kyc/user-watch');
    expect(status).toBe(200);
    // Today's fields keep their meaning: the newest inquiry's status.
    expect(json).toMatchObject({
      referenceId: 'user-watch',
      status: 'approved',
      inquiryId: 'inq_watch',
      decision: 'needs_review',
    });
    expect(json.reasons).toEqual([
      {
        code: 'case_open',
        fact: 'case',
        id: 'case_watch',
        status: 'open',
        eventId: opened,
        at: at(3).toISOString(),
        message: expect.any(String),
        setting: 'caseStatuses',
      },
      {
        code: 'watchlist_match',
        fact: 'report',
        id: 'rep_watch',
        status: 'ready',
        eventId: matched,
        at: at(2).toISOString(),
        message: expect.stringContaining('watchlist'),
        setting: 'informationalReportTypes',
      },
      expect.objectContaining({
        code: 'inquiry_approved',
        fact: 'inquiry',
        id: 'inq_watch',
        eventId: approved,
      }),
    ]);
    expect(json.reports).toEqual([
      {
        reportId: 'rep_watch',
        type: 'watchlist',
        accountId: 'act_watch',
        inquiryId: 'inq_watch',
        status: 'ready',
        hasMatch: true,
        isContinuous: true,
        statusAt: at(2).toISOString(),
        statusEventId: matched,
        matchedAt: at(2).toISOString(),
        clearedAt: null,
      },
    ]);
    expect(json.cases).toEqual([
      {
        caseId: 'case_watch',
        accountId: 'act_watch',
        inquiryId: null,
        status: 'open',
        resolution: null,
        statusAt: at(3).toISOString(),
        statusEventId: opened,
        resolvedAt: null,
        redactedAt: null,
      },
    ]);
    expect(json.accounts).toEqual([]);
    // No personal data from the payloads (the inquiry's name, birthdate, address) reaches the view.
    expect(JSON.stringify(json)).not.toMatch(/Jane|Example|1990-01-01/);
  });

  const userTimeline = async () => {
    const user = { referenceId: 'user-tl', inquiryId: 'inq_tl', accountId: 'act_tl' };
    const ids = await deliverAndProcess(
      { ...user, name: 'inquiry.approved', createdAt: at(0) },
      // A monitored re-run relates to the account only.
      { name: 'report/watchlist.matched', accountId: 'act_tl', reportId: 'rep_tl', createdAt: at(1) },
      { name: 'case.created', caseId: 'case_tl', accountId: 'act_tl', createdAt: at(2) },
      {
        name: 'case.resolved',
        caseId: 'case_tl',
        accountId: 'act_tl',
        resolution: 'Approved',
        createdAt: at(3),
      },
    );
    const timeline = await get('/api/kyc/user-tl/events');
    expect(timeline.json.events.map((e: { id: string; name: string }) => [e.id, e.name])).toEqual([
      [ids[0], 'inquiry.approved'],
      [ids[1], 'report/watchlist.matched'],
      [ids[2], 'case.created'],
      [ids[3], 'case.resolved'],
    ]);
    // The reviewer's resolution, newer than the match, decides.
    const kyc = (await get('/api/kyc/user-tl')).json;
    expect(kyc.decision).toBe('approved');
    expect(kyc.reasons[0]).toMatchObject({ code: 'case_approved', id: 'case_tl', eventId: ids[3] });
    // The same user's events are what searching by their reference id finds.
    const search = await get('/api/events?q=user-tl');
    expect(search.json.events.map((e: { id: string }) => e.id).sort()).toEqual([...ids].sort());
  };

  it(
    "shows the user's case and report events in their timeline, though they carry no reference id",
    userTimeline,
  );

  describe.skipIf(!postgres)('on PostgreSQL', () => {
    beforeEach(async () => {
      await app.close();
      await closeStore();
      await startApp(await openTestPostgresServiceStore());
    });

    it("shows the user's case and report events in their timeline, as on SQLite", userTimeline);
  });
});

describe('GET /api/kyc: users by decision, the review queue', () => {
  const minute = 60_000;
  // The worker's clock runs ahead of the deliveries, so each step's changes happen at a known time.
  const base = Date.now() + 60 * minute;
  const user = (n: number) => ({ referenceId: `queue-${n}`, inquiryId: `inq_queue_${n}` });

  /** queue-1…4 decided a minute apart (1 approved, 2 declined, 3 and 4 held); then queue-1 is held too. */
  const seed = async () => {
    await deliverAndProcessAt(base + minute, { ...user(1), name: 'inquiry.approved' });
    await deliverAndProcessAt(base + 2 * minute, { ...user(2), name: 'inquiry.declined' });
    await deliverAndProcessAt(
      base + 3 * minute,
      { ...user(3), name: 'inquiry.approved' },
      { name: 'report/watchlist.matched', inquiryId: 'inq_queue_3', reportId: 'rep_queue_3' },
    );
    await deliverAndProcessAt(
      base + 4 * minute,
      { ...user(4), name: 'inquiry.approved' },
      { name: 'case.created', inquiryId: 'inq_queue_4', caseId: 'case_queue_4' },
    );
    const [held] = await deliverAndProcessAt(base + 5 * minute, {
      name: 'case.created',
      inquiryId: 'inq_queue_1',
      caseId: 'case_queue_1',
    });
    return held!;
  };

  const reviewQueue = async () => {
    const held = await seed();
    const { status, json } = await get('/api/kyc?decision=needs_review');
    expect(status).toBe(200);
    // What /openapi.json promises is what is sent.
    expect(kycPageSchema.parse(json)).toEqual(json);
    expect(json.nextCursor).toBeNull();
    expect(json.users.map((u: { referenceId: string }) => u.referenceId)).toEqual([
      'queue-1',
      'queue-4',
      'queue-3',
    ]);
    expect(json.users[0]).toEqual({
      referenceId: 'queue-1',
      decision: 'needs_review',
      reasons: (await get('/api/kyc/queue-1')).json.reasons,
      changedAt: new Date(base + 5 * minute).toISOString(),
      changedByEventId: held,
      inquiryId: 'inq_queue_1',
      status: 'approved',
    });
    expect(json.users[0].reasons[0]).toMatchObject({ code: 'case_open', id: 'case_queue_1' });
    expect(json.users[2].reasons[0]).toMatchObject({ code: 'watchlist_match', id: 'rep_queue_3' });

    // Everyone, newest change first, one user a page, by following nextCursor.
    const walked: string[] = [];
    let next: string | null = null;
    do {
      const page = await get(`/api/kyc?limit=1${next ? `&cursor=${encodeURIComponent(next)}` : ''}`);
      expect(page.status).toBe(200);
      walked.push(
        ...page.json.users.map(
          (u: { referenceId: string; decision: string }) => `${u.referenceId} ${u.decision}`,
        ),
      );
      next = page.json.nextCursor;
    } while (next !== null);
    expect(walked).toEqual([
      'queue-1 needs_review',
      'queue-4 needs_review',
      'queue-3 needs_review',
      'queue-2 declined',
    ]);

    const since = encodeURIComponent(new Date(base + 3 * minute).toISOString());
    const changed = await get(`/api/kyc?changedSince=${since}`);
    expect(changed.json.users.map((u: { referenceId: string }) => u.referenceId)).toEqual([
      'queue-1',
      'queue-4',
      'queue-3',
    ]);
    expect((await get('/api/kyc?decision=approved')).json).toEqual({ users: [], nextCursor: null });

    // The overview counts the same users, every decision present.
    expect((await get('/api/overview')).json.decisions).toEqual({
      approved: 0,
      declined: 1,
      needs_review: 3,
      pending: 0,
    });
  };

  it(
    'lists the users held for review, newest change first, with reasons, paged and filtered by change time',
    reviewQueue,
  );

  it('refuses an unknown decision, a malformed time, a bad limit or cursor with 400 and a stable code', async () => {
    for (const [query, code, field] of [
      ['decision=needs-review', 'invalid_request', 'decision'],
      ['decision=', 'invalid_request', 'decision'],
      ['changedSince=yesterday', 'invalid_request', 'changedSince'],
      ['limit=0', 'invalid_request', 'limit'],
      ['limit=501', 'invalid_request', 'limit'],
      ['cursor=not-a-cursor', 'invalid_cursor', ''],
    ] as const) {
      const { status, json } = await get(`/api/kyc?${query}`);
      expect(status, query).toBe(400);
      expect(json.error.code, query).toBe(code);
      expect(json.error.message, query).toContain(field);
    }
  });

  it('needs a token', async () => {
    const response = await app.inject({ url: '/api/kyc?decision=needs_review' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  describe.skipIf(!postgres)('on PostgreSQL', () => {
    beforeEach(async () => {
      await app.close();
      await closeStore();
      await startApp(await openTestPostgresServiceStore());
    });

    it('lists the review queue as on SQLite', reviewQueue);
  });
});

describe('GET /metrics KYC decisions', () => {
  it('counts users by decision at scrape time, every decision present', async () => {
    const users = (referenceId: string, name: string) => ({
      referenceId,
      inquiryId: `inq_${referenceId.replace(/\W/g, '')}`,
      name,
    });
    const scrape = async () => (await app.inject({ url: '/metrics' })).body;
    expect(await scrape()).toMatch(/^persona_webhook_kyc_users\{decision="approved"\} 0$/m);
    await deliverAndProcess(
      users('m-1', 'inquiry.approved'),
      users('m-2', 'inquiry.approved'),
      users('m-3', 'inquiry.declined'),
      users('m-4', 'inquiry.marked-for-review'),
    );
    const text = await scrape();
    expect(text).toMatch(/^persona_webhook_kyc_users\{decision="approved"\} 2$/m);
    expect(text).toMatch(/^persona_webhook_kyc_users\{decision="declined"\} 1$/m);
    expect(text).toMatch(/^persona_webhook_kyc_users\{decision="needs_review"\} 1$/m);
    expect(text).toMatch(/^persona_webhook_kyc_users\{decision="pending"\} 0$/m);
    expect(text).toContain('# TYPE persona_webhook_kyc_users gauge');
  });
});

describe('a custom kycPolicy that throws', () => {
  beforeEach(async () => {
    await app.close();
    await closeStore();
    const failing = createSqliteServiceStore(join(dir, 'policy.sqlite'), {
      // No guard here: the store puts its own around a custom policy.
      kycPolicy: () => {
        throw new Error('policy bug');
      },
    });
    await failing.migrate();
    await startApp({ store: failing, cleanup: () => failing.close() });
  });

  it('leaves the event done and the user needing review, with the error as the reason', async () => {
    const [eventId] = await deliverAndProcess({
      name: 'inquiry.approved',
      referenceId: 'user-policy-bug',
      inquiryId: 'inq_policy_bug',
    });
    // Done on the first attempt: a throw inside the completion would have left it to its lease, forever.
    expect((await get(`/api/events/${eventId}`)).json).toMatchObject({ status: 'done', attempts: 1 });
    const { json } = await get('/api/kyc/user-policy-bug');
    expect(json).toMatchObject({
      status: 'approved',
      decision: 'needs_review',
      reasons: [
        { code: 'policy_error', id: 'inq_policy_bug', message: expect.stringContaining('Error: policy bug') },
      ],
    });
  });
});
