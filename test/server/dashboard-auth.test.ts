/**
 * The dashboard's sign-in and the admin API's authentication, in process (Fastify inject): session
 * cookie attributes, forgery, expiry, sign-out, the origin check on writes, the per-client limit on
 * wrong tokens, and that no token reaches the log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import {
  MAX_FAILED_ATTEMPTS,
  MAX_FAILED_ATTEMPTS_TOTAL,
  SESSION_COOKIE,
} from '../../packages/server/src/server/admin-api/admin-auth.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { CONTENT_SECURITY_POLICY } from '../../packages/server/src/server/http/security-headers.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';

const TOKEN = 'dashboard-test-token-0123456789';
const HOST = 'dash.test';
const ORIGIN = `http://${HOST}`;

let dir: string;
let store: ServiceStore;
let app: FastifyInstance;
let logs: string;

async function start(options: { sessionTtlMs?: number; trustProxy?: boolean | number | string } = {}) {
  await app?.close();
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
    adminToken: TOKEN,
    invalidSignatures: new MinuteCounter(Date.now()),
    ...options,
  });
  await app.ready();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-dash-auth-'));
  store = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await store.migrate();
  await start();
});

afterEach(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const signIn = (token: string, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
  app.inject({
    method: 'POST',
    url: '/admin/session',
    headers: { host: HOST, origin: ORIGIN, ...headers },
    payload: { token },
    remoteAddress,
  });

/** `name=value` of the session cookie a response set. */
function cookieOf(response: { headers: Record<string, unknown> }): string {
  const header = String(response.headers['set-cookie']);
  return header.split(';')[0]!;
}

describe('dashboard page and assets', () => {
  it('serves the page, its files and the vendored libraries with a strict CSP', async () => {
    const page = await app.inject({ url: '/admin' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    for (const asset of [
      'app.js',
      'styles.css',
      'vendor/preact-htm.js',
      'vendor/uplot.js',
      'vendor/uplot.css',
    ]) {
      const response = await app.inject({ url: `/admin/assets/${asset}` });
      expect(response.statusCode, asset).toBe(200);
      expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
    expect((await app.inject({ url: '/admin/assets/../../package.json' })).statusCode).toBe(404);
  });
});

describe('sign-in, session cookie and sign-out', () => {
  it('refuses a wrong token and sets a signed, HttpOnly, SameSite=Strict, expiring cookie for the right one', async () => {
    const wrong = await signIn('not-the-token-at-all');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const right = await signIn(TOKEN);
    expect(right.statusCode).toBe(200);
    const header = String(right.headers['set-cookie']);
    expect(header).toMatch(new RegExp(`^${SESSION_COOKIE}=[^;]+\\.[^;]+;`));
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    expect(header).toMatch(/; Expires=/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/; Secure/);
    const expiresAt = Date.parse(right.json<{ expiresAt: string }>().expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(12 * 3600_000);

    const secure = await signIn(TOKEN, { 'x-forwarded-proto': 'https', origin: `https://${HOST}` });
    expect(String(secure.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('the cookie opens /api/*; a forged or altered one does not', async () => {
    const cookie = cookieOf(await signIn(TOKEN));
    const list = await app.inject({ url: '/api/events', headers: { host: HOST, cookie } });
    expect(list.statusCode).toBe(200);
    expect((await app.inject({ url: '/admin/session', headers: { cookie } })).json()).toMatchObject({
      signedIn: true,
    });

    const [name, value] = cookie.split('=') as [string, string];
    const [, signature] = decodeURIComponent(value).split(/\.(?=[^.]+$)/);
    const forged = `${name}=${encodeURIComponent(`AAAAAAAAAAAAAAAAAAAAAAAA.${Date.now() + 3600_000}.${signature}`)}`;
    for (const bad of [forged, `${name}=garbage`, `${name}=${value.slice(0, -2)}xx`]) {
      const response = await app.inject({ url: '/api/events', headers: { cookie: bad } });
      expect(response.statusCode, bad).toBe(401);
      expect(response.json()).toMatchObject({ error: { code: 'unauthorized' } });
    }
  });

  it('sign-out ends the session, even for a copy of the cookie kept from before', async () => {
    const cookie = cookieOf(await signIn(TOKEN));
    const out = await app.inject({
      method: 'DELETE',
      url: '/admin/session',
      headers: { host: HOST, origin: ORIGIN, cookie },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(
      new RegExp(`^${SESSION_COOKIE}=;.*Expires=Thu, 01 Jan 1970`),
    );
    expect((await app.inject({ url: '/api/events', headers: { cookie } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/admin/session', headers: { cookie } })).json()).toEqual({
      signedIn: false,
    });
  });

  it('sign-out holds after a restart and on another instance of the same store', async () => {
    const kept = cookieOf(await signIn(TOKEN));
    const other = cookieOf(await signIn(TOKEN));
    await start(); // a restart: a new app, the same database
    expect((await app.inject({ url: '/api/events', headers: { cookie: kept } })).statusCode).toBe(200);
    const out = await app.inject({
      method: 'DELETE',
      url: '/admin/session',
      headers: { host: HOST, origin: ORIGIN, cookie: kept },
    });
    expect(out.statusCode).toBe(204);
    await start();
    expect((await app.inject({ url: '/api/events', headers: { cookie: kept } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/events', headers: { cookie: other } })).statusCode).toBe(200);

    // A second instance on the same store, running alongside.
    const second = buildApp({
      pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
      store,
      metrics: createMetrics(store),
      logger: createLogger({ level: 'silent', pretty: false }),
      adminToken: TOKEN,
      invalidSignatures: new MinuteCounter(Date.now()),
    });
    try {
      await app.inject({
        method: 'DELETE',
        url: '/admin/session',
        headers: { host: HOST, origin: ORIGIN, cookie: other },
      });
      expect((await second.inject({ url: '/api/events', headers: { cookie: kept } })).statusCode).toBe(401);
      expect((await second.inject({ url: '/api/events', headers: { cookie: other } })).statusCode).toBe(401);
      expect((await second.inject({ url: '/admin/session', headers: { cookie: other } })).json()).toEqual({
        signedIn: false,
      });
    } finally {
      await second.close();
    }
  });

  it('a session expires', async () => {
    await start({ sessionTtlMs: 300 });
    const cookie = cookieOf(await signIn(TOKEN));
    expect((await app.inject({ url: '/api/events', headers: { cookie } })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await app.inject({ url: '/api/events', headers: { cookie } })).statusCode).toBe(401);
  });

  it('the bearer token keeps working for /api/*, writes included, with no Origin', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/events/evt_unknown/replay',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(404);
    const wrong = await app.inject({
      url: '/api/events',
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
  });
});

describe('CSRF: writes with the cookie must come from the dashboard itself', () => {
  it('refuses a cross-origin or origin-less POST with the cookie, accepts a same-origin one', async () => {
    const cookie = cookieOf(await signIn(TOKEN));
    const replay = (headers: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/api/events/evt_unknown/replay',
        headers: { host: HOST, cookie, ...headers },
      });
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: `http://${HOST}.evil.example` },
      { origin: 'null' },
      {},
      { origin: ORIGIN, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of attempts) {
      const response = await replay(headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
      expect(response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
    }
    expect((await replay({ origin: ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(404);
    // Reads need no Origin: a cross-site page cannot read the answer anyway.
    expect((await app.inject({ url: '/api/events', headers: { cookie } })).statusCode).toBe(200);
  });

  it('refuses a sign-in posted from another site', async () => {
    const response = await signIn(TOKEN, { origin: 'https://evil.example' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});

describe('wrong tokens are rate-limited per client and never logged', () => {
  it(`answers 429 to wrong tokens after ${MAX_FAILED_ATTEMPTS}, for that client only; the right token still passes`, async () => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      expect((await signIn(`wrong-token-number-${i}`)).statusCode).toBe(401);
    }
    const limited = await signIn('wrong-token-one-more');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The operator on the same address is not locked out, at sign-in or as a bearer token, however
    // often the attacker keeps renewing the lockout in between.
    for (let i = 0; i < 3; i++) {
      expect((await signIn(TOKEN)).statusCode).toBe(200);
      const bearer = await app.inject({
        url: '/api/events',
        headers: { authorization: `Bearer ${TOKEN}` },
        remoteAddress: '10.0.0.1',
      });
      expect(bearer.statusCode).toBe(200);
      expect((await signIn(`wrong-token-renewing-${i}`)).statusCode).toBe(429);
      const wrongBearer = await app.inject({
        url: '/api/events',
        headers: { authorization: 'Bearer wrong-bearer-token-value' },
        remoteAddress: '10.0.0.1',
      });
      expect(wrongBearer.statusCode).toBe(429);
    }
    expect((await signIn('wrong-token-elsewhere', {}, '10.0.0.2')).statusCode).toBe(401);
  });

  it(`caps wrong tokens from all clients together at ${MAX_FAILED_ATTEMPTS_TOTAL} per window`, async () => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS_TOTAL; i++) {
      const address = `10.1.${Math.floor(i / 5)}.${i % 5}`; // 5 per address: under the per-client limit
      expect((await signIn(`wrong-token-${i}`, {}, address)).statusCode).toBe(401);
    }
    const fresh = await signIn('wrong-token-from-a-fresh-address', {}, '10.2.0.1');
    expect(fresh.statusCode).toBe(429);
    expect(fresh.json()).toMatchObject({ error: { code: 'too_many_attempts' } });
    expect((await signIn(TOKEN, {}, '10.2.0.2')).statusCode).toBe(200);
  });

  it('TRUST_PROXY=true: a new X-Forwarded-For per request does not escape the per-client limit', async () => {
    await start({ trustProxy: true });
    const viaProxy = (token: string, claimed: string, seenByProxy = '203.0.113.7') =>
      signIn(token, { 'x-forwarded-for': `${claimed}, ${seenByProxy}` }, '10.0.0.9');
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      expect((await viaProxy(`wrong-token-${i}`, `198.51.100.${i}`)).statusCode).toBe(401);
    }
    expect((await viaProxy('wrong-token-spoofed', '198.51.100.200')).statusCode).toBe(429);
    expect((await viaProxy(TOKEN, '198.51.100.201')).statusCode).toBe(200);
    // Another client, as the proxy saw it, has its own allowance.
    expect((await viaProxy('wrong-token-other', '198.51.100.1', '203.0.113.8')).statusCode).toBe(401);
  });

  it('TRUST_PROXY=<hops>: the address that many hops in is the client (Fastify 5 ignored a bare count)', async () => {
    await start({ trustProxy: 1 });
    const viaProxy = (token: string, forwardedFor: string, extra: Record<string, string> = {}) =>
      signIn(token, { 'x-forwarded-for': forwardedFor, ...extra }, '10.0.0.9');
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) {
      // What the client wrote (left) is not believed; what the one trusted proxy saw (right) is.
      expect((await viaProxy(`wrong-token-${i}`, `198.51.100.${i}, 203.0.113.7`)).statusCode).toBe(401);
    }
    expect((await viaProxy('wrong-token-spoofed', '198.51.100.200, 203.0.113.7')).statusCode).toBe(429);
    // Clients behind the same proxy are told apart: another one is not limited.
    expect((await viaProxy('wrong-token-other', '203.0.113.8')).statusCode).toBe(401);
    // And the proxy's X-Forwarded-Proto is believed, so the cookie is Secure behind a TLS proxy.
    const secure = await viaProxy(TOKEN, '203.0.113.8', {
      'x-forwarded-proto': 'https',
      origin: `https://${HOST}`,
    });
    expect(secure.statusCode).toBe(200);
    expect(String(secure.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('right tokens do not use up the allowance', async () => {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS * 2; i++) expect((await signIn(TOKEN)).statusCode).toBe(200);
    expect((await signIn('wrong-token-after-many-good')).statusCode).toBe(401);
  });

  it('logs failures and sign-ins without any token', async () => {
    await signIn('a-wrong-token-that-must-not-be-logged');
    const cookie = cookieOf(await signIn(TOKEN));
    await app.inject({ url: '/api/events', headers: { authorization: 'Bearer another-wrong-token-value' } });
    await app.inject({ url: '/api/events', headers: { cookie } });
    expect(logs).toContain('admin authentication failed');
    expect(logs).toContain('admin signed in');
    for (const secret of [TOKEN, 'a-wrong-token-that-must-not-be-logged', 'another-wrong-token-value']) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain(decodeURIComponent(cookie.split('=')[1]!).split('.')[0]);
  });
});
