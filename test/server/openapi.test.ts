/**
 * /openapi.json: public, OpenAPI 3.1 in shape, generated from the route registry so that every route
 * the Fastify app registers is described (collected with an `onRoute` hook), with the same schemas
 * the routes validate with; and the outbound `kyc.decision_changed` message, whose zod schema must
 * accept exactly what the library's `decisionChangedEvent()` builds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import { decisionChangedEvent } from '../../packages/persona-webhooks/src/outbox/decision-changed.js';
import { vendorFiles } from '../../packages/server/src/server/dashboard/assets.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import { kycDecisionChangedEventSchema } from '../../packages/server/src/server/openapi/kyc-decision-changed-event.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';

// Every route any Fastify instance registers, seen by an onRoute hook added as the instance is made
// (buildApp registers some routes before it returns, so a hook added afterwards would miss them).
const registered = vi.hoisted(() => [] as Array<{ method: string; url: string }>);
vi.mock('fastify', async (importOriginal) => {
  const actual = await importOriginal<typeof import('fastify')>();
  const create = ((options?: object) => {
    const instance = actual.default(options);
    instance.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push({ method, url: route.url });
    });
    return instance;
  }) as typeof actual.default;
  return { ...actual, default: create };
});

/**
 * The webhook path's other methods: registered so the pipeline answers them with a JSON 405
 * `method_not_allowed` (said in the POST operation's description), not operations of their own.
 */
const WEBHOOK_405_METHODS = new Set(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Routes that are files, not API: the dashboard's page (both spellings) and its static assets. */
const STATIC_ROUTES = new Set([
  '/admin',
  '/admin/',
  '/admin/assets/*',
  ...Object.keys(vendorFiles()).map((name) => `/admin/assets/vendor/${name}`),
]);

type Operation = {
  operationId: string;
  responses: Record<string, unknown>;
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  security: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

let dir: string;
let store: ServiceStore;
let app: FastifyInstance;
let doc: Document;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-openapi-'));
  store = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await store.migrate();
  app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'silent', pretty: false }),
    adminToken: 'openapi-test-token-0123456789',
    invalidSignatures: new MinuteCounter(Date.now()),
    checkAnswers: true,
  });
  await app.ready();
  const response = await app.inject({ url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  doc = response.json();
});

afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );

describe('GET /openapi.json', () => {
  it('describes every route the app registers (HEAD duplicates and static files aside), and no other', () => {
    const toPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const routes = registered
      .filter((route) => route.method !== 'HEAD' && !STATIC_ROUTES.has(route.url))
      .filter((route) => !(route.url === '/webhooks/persona' && WEBHOOK_405_METHODS.has(route.method)))
      .map((route) => `${route.method} ${toPath(route.url)}`);
    expect(routes.length).toBeGreaterThan(10);
    expect(routes).toContain('GET /api/kyc/{id}');
    expect(routes).toContain('POST /webhooks/persona');
    const described = operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`);
    expect([...new Set(routes)].sort()).toEqual([...described].sort());
  });

  it('is OpenAPI 3.1 in shape: info, unique operation ids, responses, declared path parameters, resolvable refs', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe('persona-webhooks');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of operations()) {
      const where = `${method} ${path}`;
      expect(Object.keys(operation.responses).length, where).toBeGreaterThan(0);
      for (const status of Object.keys(operation.responses)) expect(status, where).toMatch(/^[1-5]\d\d$/);
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), where).toEqual(inPath.sort());
      for (const p of declared) expect(p.required, where).toBe(true);
      for (const p of operation.parameters ?? []) expect(p.schema, where).not.toHaveProperty('$schema');
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, section, name] of refs) {
      expect(doc.components[section as 'schemas'], `${section}/${name}`).toHaveProperty(name!);
    }
    for (const { operation } of operations()) {
      for (const requirement of operation.security as Record<string, unknown>[]) {
        for (const scheme of Object.keys(requirement))
          expect(doc.components.securitySchemes).toHaveProperty(scheme);
      }
    }
  });

  it('gives every answer with a body a schema: errors the Error component, every other one its own', () => {
    const missing: string[] = [];
    for (const { path, method, operation } of operations()) {
      for (const [status, answer] of Object.entries(
        operation.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>,
      )) {
        // No body: 204, and the redirect of `/`.
        if (status === '204' || status.startsWith('3')) continue;
        const schemas = Object.values(answer.content ?? {}).map((media) => media.schema);
        if (schemas.length === 0 || schemas.some((schema) => schema === undefined)) {
          missing.push(`${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
    const kyc = doc.paths['/api/kyc/{id}']!['get']!.responses['200'] as {
      content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }>;
    };
    const schema = kyc.content['application/json']!.schema;
    expect(schema.required).toEqual(
      expect.arrayContaining(['referenceId', 'decision', 'reasons', 'inquiries']),
    );
    expect(schema.properties['decision']).toMatchObject({
      enum: ['approved', 'declined', 'needs_review', 'pending'],
    });
  });

  it('answers as it is described: every JSON answer is held to its schema (checkAnswers)', async () => {
    const headers = { authorization: 'Bearer openapi-test-token-0123456789' };
    for (const url of [
      '/healthz',
      '/readyz',
      '/api/overview',
      '/api/events',
      '/api/endpoints?backlog=true',
      '/api/deliveries',
      '/api/reconcile',
    ]) {
      const answer = await app.inject({ url, headers });
      expect(answer.statusCode, `${url}: ${answer.body}`).toBe(200);
    }
    const missing = await app.inject({ url: '/api/kyc/nobody', headers });
    expect(missing.statusCode).toBe(404);
  });

  it('uses the schemas the routes validate with', async () => {
    const list = doc.paths['/api/events']!['get']!;
    const limit = list.parameters!.find((p) => p.name === 'limit')!;
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { maximum: 500, default: 50 } });
    const status = list.parameters!.find((p) => p.name === 'status')!;
    expect(status.schema).toMatchObject({ enum: ['pending', 'processing', 'done', 'dead'] });
    const headers = { authorization: 'Bearer openapi-test-token-0123456789' };
    expect((await app.inject({ url: '/api/events?limit=500', headers })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/events?limit=501', headers })).statusCode).toBe(400);
    const replay = doc.paths['/api/events/replay']!['post']!;
    expect(replay.requestBody!.content['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['ids'],
      properties: { ids: { type: 'array', minItems: 1, maxItems: 500 } },
    });
  });

  it('describes the list of users by decision: its filters and the JSON schema of its answer', () => {
    const list = doc.paths['/api/kyc']!['get']!;
    const parameter = (name: string) => list.parameters!.find((p) => p.name === name)!;
    expect(parameter('decision').schema).toMatchObject({
      enum: ['approved', 'declined', 'needs_review', 'pending'],
    });
    expect(parameter('changedSince').schema).toMatchObject({ type: 'string', format: 'date-time' });
    expect(parameter('cursor').required).toBe(false);
    type JsonSchema = { required?: string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema };
    const ok = list.responses['200'] as { content: { 'application/json': { schema: JsonSchema } } };
    const schema = ok.content['application/json'].schema;
    expect(schema).toMatchObject({ type: 'object', required: ['users', 'nextCursor'] });
    const userSchema = schema.properties?.['users']?.items;
    expect(userSchema?.required).toEqual([
      'referenceId',
      'decision',
      'reasons',
      'changedAt',
      'changedByEventId',
      'inquiryId',
      'status',
    ]);
    // A reason is the message's (the same facts), with its time in ISO.
    const message = doc.components.schemas['KycDecisionChangedEvent'] as JsonSchema;
    const messageReason = message.properties?.['data']?.properties?.['reasons']?.items;
    const reason = userSchema?.properties?.['reasons']?.items;
    expect(reason?.properties?.['fact']).toEqual(messageReason?.properties?.['fact']);
    expect(reason?.properties?.['fact']).toMatchObject({ enum: expect.arrayContaining(['inquiry', 'case']) });
    expect(Object.keys(reason?.properties ?? {})).toContain('at');
    expect(Object.keys(reason?.properties ?? {})).not.toContain('atMs');
    expect(list.responses).toHaveProperty('400');
  });

  it('says who may call each route: app tokens on the KYC reads only, nothing on the public ones', () => {
    const withAppToken = operations()
      .filter(({ operation }) => JSON.stringify(operation.security).includes('appToken'))
      .map(({ method, path }) => `${method} ${path}`);
    expect(withAppToken.sort()).toEqual(['get /api/inquiries/{id}', 'get /api/kyc', 'get /api/kyc/{id}']);
    expect(doc.paths['/api/events']!['get']!.responses).toHaveProperty('403');
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect(doc.paths[path]!['get']!.security, path).toEqual([]);
    }
    expect(doc.paths['/webhooks/persona']!['post']!.security).toEqual([{ personaSignature: [] }]);
  });
});

describe('the kyc.decision_changed message', () => {
  const change = {
    referenceId: 'user-1',
    decision: 'needs_review' as const,
    previousDecision: 'approved' as const,
    reasons: [
      {
        code: 'watchlist_match',
        fact: 'report' as const,
        id: 'rep_1',
        status: 'ready',
        eventId: 'evt_1',
        atMs: Date.parse('2026-01-02T03:04:05Z'),
        message: 'A watchlist report found a match.',
      },
    ],
    inquiryId: 'inq_1',
    personaEventId: 'evt_1',
    changedAtMs: Date.parse('2026-01-02T03:04:06Z'),
  };

  it('parses with the zod schema exactly as decisionChangedEvent() builds it, first decisions included', () => {
    const event = decisionChangedEvent(change);
    expect(kycDecisionChangedEventSchema.parse(event)).toEqual(event);
    const first = decisionChangedEvent({
      ...change,
      previousDecision: null,
      inquiryId: null,
      personaEventId: null,
      reasons: [],
    });
    expect(kycDecisionChangedEventSchema.parse(first)).toEqual(first);
    // Strict: a field the schema does not know is a drift, not something to strip silently.
    expect(kycDecisionChangedEventSchema.safeParse({ ...event, extra: 1 }).success).toBe(false);
    expect(
      kycDecisionChangedEventSchema.safeParse({ ...event, data: { ...event.data, decision: 'maybe' } })
        .success,
    ).toBe(false);
  });

  it('is described under webhooks, with the Standard Webhooks headers, as the KycDecisionChangedEvent component', () => {
    const { $schema: _dialect, ...component } = z.toJSONSchema(kycDecisionChangedEventSchema) as Record<
      string,
      unknown
    >;
    expect(doc.components.schemas['KycDecisionChangedEvent']).toEqual(component);
    const post = doc.webhooks['kyc.decision_changed']!['post']!;
    expect(post.requestBody!.content['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/KycDecisionChangedEvent',
    });
    expect(post.parameters!.map((p) => [p.name, p.in])).toEqual([
      ['webhook-id', 'header'],
      ['webhook-timestamp', 'header'],
      ['webhook-signature', 'header'],
    ]);
    expect(Object.keys(post.responses).length).toBeGreaterThan(0);
  });
});
