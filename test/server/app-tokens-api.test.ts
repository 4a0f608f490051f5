/**
 * App tokens in process (Fastify inject): a live token reads a user's status and an inquiry, and
 * nothing else (403 `forbidden`, also on writes); a wrong, revoked or unknown token is a 401 and counts
 * as a failed attempt; the admin token still opens everything; use is recorded; no token is logged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { generateAppToken } from '../../packages/server/src/app-tokens/app-token.js';
import { MAX_FAILED_ATTEMPTS } from '../../packages/server/src/server/admin-api/admin-auth.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';
import { ingestBuilt } from '../worker/temp-store.js';

const ADMIN = 'app-token-test-admin-0123456789';
let dir: string;
let store: ServiceStore;
let app: FastifyInstance;
let logs: string;
let token: string;
let tokenId: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-app-tokens-'));
  store = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await store.migrate();
  logs = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'trace', pretty: false, destination }),
    adminToken: ADMIN,
    invalidSignatures: new MinuteCounter(Date.now()),
    // Every answer is held to the schema /openapi.json gives it.
    checkAnswers: true,
  });
  await app.ready();
  const generated = generateAppToken();
  ({ token, id: tokenId } = generated);
  await store.createAppToken({
    id: tokenId,
    name: 'backend',
    tokenHash: generated.tokenHash,
    createdAtMs: 1,
  });
  await ingestBuilt(
    store,
    buildEvent({ name: 'inquiry.approved', referenceId: 'user-1', inquiryId: 'inq_1' }),
    Date.now(),
  );
  await createWorker({ store }).drain();
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (method: 'GET' | 'POST', url: string, bearer: string, payload?: object) => {
  const response = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${bearer}` },
    ...(payload ? { payload } : {}),
  });
  return { status: response.statusCode, json: response.json() };
};

describe('app tokens', () => {
  it('read a KYC status, the list of users by decision and an inquiry', async () => {
    const kyc = await call('GET', '/api/kyc/user-1', token);
    expect(kyc.status).toBe(200);
    expect(kyc.json).toMatchObject({ referenceId: 'user-1', status: 'approved' });
    const inquiry = await call('GET', '/api/inquiries/inq_1', token);
    expect(inquiry.status).toBe(200);
    expect(inquiry.json).toMatchObject({ inquiryId: 'inq_1' });
    expect((await call('GET', '/api/kyc/nobody', token)).status).toBe(404);
    // The list too: an application catches up on the decisions changed since a time.
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const list = await call('GET', `/api/kyc?changedSince=${since}&decision=approved`, token);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      users: [{ referenceId: 'user-1', decision: 'approved' }],
      nextCursor: null,
    });
  });

  it('are refused with 403 forbidden everywhere else, reads and writes', async () => {
    const { id: eventId } = (await store.listEvents({})).events[0]!;
    const refused: Array<[method: 'GET' | 'POST', url: string, payload?: object]> = [
      ['GET', '/api/events'],
      ['GET', `/api/events/${eventId}`],
      ['GET', '/api/overview'],
      ['GET', '/api/reconcile'],
      ['GET', '/api/kyc/user-1/events'],
      ['GET', '/api/inquiries/inq_1/events'],
      ['POST', `/api/events/${eventId}/replay`],
      ['POST', '/api/events/replay', { ids: [eventId] }],
    ];
    for (const [method, url, payload] of refused) {
      const { status, json } = await call(method, url, token, payload);
      expect(status, `${method} ${url}`).toBe(403);
      expect(json, `${method} ${url}`).toMatchObject({ error: { code: 'forbidden' } });
    }
    // Nothing was replayed.
    expect((await store.getEvent(eventId))?.status).toBe('done');
  });

  it('a revoked, unknown or malformed token is a 401, and the admin token still opens everything', async () => {
    await store.revokeAppToken(tokenId, Date.now());
    const other = generateAppToken().token;
    for (const bearer of [token, other, `${token}x`, 'pwa_short']) {
      const { status, json } = await call('GET', '/api/kyc/user-1', bearer);
      expect(status, bearer).toBe(401);
      expect(json).toMatchObject({ error: { code: 'unauthorized' } });
    }
    // The revoked one is told what happened and what to do; the others learn nothing.
    const revoked = await call('GET', '/api/kyc/user-1', token);
    expect(revoked.json).toMatchObject({
      error: {
        message: `App token ${tokenId} was revoked: create a new one with \`persona-webhooks tokens create --name <app>\` and give it to the application.`,
      },
    });
    expect((await call('GET', '/api/kyc/user-1', other)).json).toMatchObject({
      error: { message: expect.stringContaining('A valid admin token is required') },
    });
    expect((await call('GET', '/api/kyc/user-1', ADMIN)).status).toBe(200);
    expect((await call('GET', '/api/events', ADMIN)).status).toBe(200);
  });

  it('wrong app tokens count against the client like wrong admin tokens; the right one still passes', async () => {
    const wrong = generateAppToken().token;
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      expect((await call('GET', '/api/kyc/user-1', wrong)).status).toBe(401);
    }
    const locked = await call('GET', '/api/kyc/user-1', wrong);
    expect(locked.status).toBe(429);
    expect(locked.json).toMatchObject({ error: { code: 'too_many_attempts' } });
    // Only failures are counted (issue 20): whoever guesses from the application's address cannot lock it out.
    expect((await call('GET', '/api/kyc/user-1', token)).status).toBe(200);
  });

  it('records when a token was last used, without failing or logging the token', async () => {
    const before = Date.now();
    expect((await call('GET', '/api/kyc/user-1', token)).status).toBe(200);
    await expect
      .poll(async () => (await store.listAppTokens())[0]?.lastUsedAtMs ?? 0)
      .toBeGreaterThanOrEqual(before);
    await call('GET', '/api/events', token);
    await call('GET', '/api/kyc/user-1', generateAppToken().token);
    expect(logs).toContain('"status":403');
    expect(logs).toContain('admin authentication failed');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.slice(4));
  });
});
