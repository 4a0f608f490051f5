/**
 * The security headers (CSP, X-Frame-Options, nosniff, Referrer-Policy, COOP, CORP) on every answer of
 * the service: each dashboard and API route as a browser may ask for it — with `?`, `?x`, a query,
 * a trailing slash, percent-encoded or odd paths — plus 404s, refused URLs, the webhook fast path and
 * answers written on the raw socket. A fragment (`#/dead`) never reaches the server: `/admin?x#/dead`
 * arrives as `/admin?x`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { SECURITY_HEADERS } from '../../packages/server/src/server/http/security-headers.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';

const TOKEN = 'security-headers-test-token-0123';

let dir: string;
let store: ServiceStore;
let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-sec-headers-'));
  store = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await store.migrate();
  app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'silent', pretty: false }),
    adminToken: TOKEN,
    invalidSignatures: new MinuteCounter(Date.now()),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    expect(headers[name], `${name} on ${what}`).toBe(value);
  }
}

function headersOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** Every route the dashboard page loads or calls, and the service's other routes. */
const ROUTES = [
  '/admin',
  '/admin/',
  '/admin/session',
  '/admin/assets/app.js',
  '/admin/assets/styles.css',
  '/admin/assets/router.js',
  '/admin/assets/pages/users.js',
  '/admin/assets/vendor/preact-htm.js',
  '/admin/assets/vendor/uplot.js',
  '/admin/assets/favicon.svg',
  '/api/overview',
  '/api/events',
  '/api/events/evt_1',
  '/api/dead',
  '/api/users/user-1',
  '/api/kyc/user-1',
  '/api/reconcile',
  '/healthz',
  '/readyz',
  '/metrics',
  '/webhooks/persona',
  '/no/such/route',
];

/** How a link, a bookmark or an attacker's frame may spell each route. */
const VARIANTS: ReadonlyArray<(path: string) => string> = [
  (p) => p,
  (p) => `${p}?`,
  (p) => `${p}?x`,
  (p) => `${p}?x=1&y=%2F`,
  // A browser never sends the fragment; a hand-written client may.
  (p) => `${p}#/dead`,
  (p) => `${p}?x#/dead`,
  (p) => `${p}?%00`,
  (p) => (p.endsWith('/') ? p.slice(0, -1) : `${p}/`),
  (p) => `${p}/?x`,
  (p) => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
  (p) => p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  (p) => p.toUpperCase(),
  (p) => `/${p}`,
  (p) => `${p}/.`,
  (p) => `${p}/%2e%2e`,
  (p) => `${p};x`,
];

describe('security headers on every answer', () => {
  it('every route, in every spelling, as GET and HEAD, with and without credentials', async () => {
    for (const route of ROUTES) {
      for (const variant of VARIANTS) {
        const url = variant(route);
        for (const method of ['GET', 'HEAD'] as const) {
          for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
            const response = await app.inject({ method, url, headers });
            expectSecurityHeaders(response.headers, `${method} ${url} (${response.statusCode})`);
          }
        }
      }
    }
  });

  it('/admin?x (what a frame of /admin?x#/dead requests) is the page, unframeable', async () => {
    for (const url of ['/admin?', '/admin?x', '/admin/?x', '/admin?x=%23%2Fdead']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(String(response.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    }
  });

  it('writes, refused URLs and errors', async () => {
    const answers = [
      await app.inject({ method: 'POST', url: '/admin/session?x', payload: { token: 'wrong-token' } }),
      await app.inject({ method: 'DELETE', url: '/admin/session?x' }),
      await app.inject({ method: 'POST', url: '/api/events/evt_1/replay?x' }),
      await app.inject({ method: 'POST', url: '/api/dead/replay?' }),
      await app.inject({ method: 'GET', url: '/admin/%E0%A4%A' }),
      await app.inject({ method: 'GET', url: `/api/events/${'x'.repeat(5000)}` }),
      await app.inject({ method: 'POST', url: '/admin/session', headers: { 'content-type': 'text/plain' } }),
      await app.inject({
        method: 'POST',
        url: '/admin/session',
        headers: { 'content-type': 'application/json' },
        payload: '{',
      }),
    ];
    for (const response of answers) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expectSecurityHeaders(response.headers, `${response.statusCode} ${response.body.slice(0, 80)}`);
    }
  });

  it('over real HTTP: the webhook fast path and answers written on the raw socket', async () => {
    for (const url of ['/webhooks/persona', '/webhooks/persona?x']) {
      const webhook = await fetch(`${baseUrl}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'persona-signature': 't=1,v1=00' },
        body: '{}',
      });
      expect(webhook.status).toBe(401);
      expectSecurityHeaders(headersOf(webhook.headers), `POST ${url}`);
    }
    const page = await fetch(`${baseUrl}/admin?x`);
    expectSecurityHeaders(headersOf(page.headers), 'GET /admin?x over HTTP');

    // Invalid HTTP: Node's parser refuses it before Fastify sees a request.
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write('GET /admin HTTP/1.1\r\nHost: x\r\nBad Header: \x01\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(raw.toLowerCase()).toContain(`${name}: ${value.toLowerCase()}`);
    }
  });
});
