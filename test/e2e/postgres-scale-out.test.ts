/**
 * Scale-out on PostgreSQL, with real server processes: two instances on one database, every event
 * delivered to both at once plus retries; and a connection cut between a server and PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { openStore } from '../../packages/server/src/open-store.js';
import { SECRET, signedEvent } from '../helpers/deliveries.js';
import { kycScenario } from '../helpers/kyc-scenario.js';
import { deliverLikePersona } from '../helpers/persona-sender.js';
import { dropTestSchema, postgresReachable, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.js';
import {
  eventually,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const reachable = await postgresReachable();
const dir = mkdtempSync(join(tmpdir(), 'pw-pg-e2e-'));
const schemas: string[] = [];
const services: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await Promise.all(schemas.map((schema) => dropTestSchema(schema)));
  rmSync(dir, { recursive: true, force: true });
});

function serviceEnv(schema: string, overrides: Record<string, string> = {}) {
  return {
    PERSONA_WEBHOOK_SECRET: SECRET,
    DATABASE_URL: TEST_POSTGRES_URL,
    PERSONA_WEBHOOKS_PG_SCHEMA: schema,
    PERSONA_WEBHOOKS_HANDLERS: join(REPO_ROOT, 'test/fixtures/handlers/append-log.mjs'),
    HANDLER_LOG: join(dir, `${schema}.log`),
    PERSONA_WEBHOOKS_LEASE_SECONDS: '5',
    ...overrides,
  };
}

async function openSchema(schema: string): Promise<Store> {
  return openStore(TEST_POSTGRES_URL, { postgresSchema: schema });
}

async function drained(store: Store, total: number): Promise<void> {
  await eventually(async () => {
    const counts = await store.counts();
    return counts.done + counts.dead === total && counts.pending === 0 && counts.processing === 0;
  }, 60_000);
}

describe.skipIf(!reachable)('PostgreSQL scale-out (real server processes)', () => {
  it('two instances on one database: every event stored once, applied once, every status right', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const [a, b] = await Promise.all([
      startServiceProcess(serviceEnv(schema)),
      startServiceProcess(serviceEnv(schema)),
    ]);
    services.push(a!, b!);
    const { deliveries, expected } = kycScenario(75, { prefix: 'scale' }); // 300 events
    const urls = [`${a!.url}/webhooks/persona`, `${b!.url}/webhooks/persona`];

    // Each event goes to both instances at the same time, then a third of them again (Persona's retries).
    const [toA, toB] = await Promise.all([
      deliverLikePersona(deliveries, { urls: urls[0]!, concurrency: 12 }),
      deliverLikePersona(deliveries, { urls: urls[1]!, concurrency: 12 }),
    ]);
    const retried = await deliverLikePersona(
      deliveries.filter((_, i) => i % 3 === 0),
      { urls, concurrency: 12 },
    );
    for (const results of [toA, toB, retried]) expect(results.every((r) => r.acknowledged)).toBe(true);

    const store = await openSchema(schema);
    try {
      await drained(store, deliveries.length);
      expect(await store.counts()).toEqual({ pending: 0, processing: 0, done: deliveries.length, dead: 0 });
      for (const [referenceId, status] of expected) {
        expect((await store.getKyc(referenceId))?.status, referenceId).toBe(status);
      }
      const runs = new Map<string, number>();
      for (const id of readFileSync(join(dir, `${schema}.log`), 'utf8')
        .trim()
        .split('\n')) {
        runs.set(id, (runs.get(id) ?? 0) + 1);
      }
      for (const { eventId } of deliveries) {
        const event = await store.getEvent(eventId);
        expect(event?.status).toBe('done');
        // Handlers ran once per claim, never concurrently twice for one event.
        expect(runs.get(eventId), eventId).toBe(event?.attempts);
      }
    } finally {
      await store.close();
    }
  }, 150_000);

  it('a cut connection: 503 and /readyz 503 while cut, nothing acknowledged lost, recovery without restart', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const target = new URL(TEST_POSTGRES_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(TEST_POSTGRES_URL);
    viaProxy.port = String(proxy.port);
    const service = await startServiceProcess(serviceEnv(schema, { DATABASE_URL: viaProxy.toString() }));
    services.push(service);
    const hook = `${service.url}/webhooks/persona`;
    const { deliveries, expected } = kycScenario(30, { prefix: 'cut' }); // 120 events
    const before = deliveries.slice(0, 40);
    const during = deliveries.slice(40);

    try {
      expect((await deliverLikePersona(before, { urls: hook })).every((r) => r.acknowledged)).toBe(true);

      await proxy.cut();
      const refused = await deliverLikePersona(during.slice(0, 1), { urls: hook, maxAttempts: 1 });
      expect(refused[0]).toMatchObject({ acknowledged: false, status: 503 });
      expect((await fetch(`${service.url}/readyz`)).status).toBe(503);

      // A sender that retries like Persona keeps going while the database is away…
      const sending = deliverLikePersona(during, { urls: hook, retryDelayMs: 200, deadlineMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await proxy.restore();
      const results = await sending;
      expect(results.every((r) => r.acknowledged)).toBe(true);
      // Whether a delivery saw a 503 or just waited for the reconnect depends on timing; none may be lost.
      await eventually(async () => (await fetch(`${service.url}/readyz`)).status === 200, 20_000);

      const store = await openSchema(schema);
      try {
        await drained(store, deliveries.length);
        expect((await store.counts()).done).toBe(deliveries.length);
        for (const [referenceId, status] of expected) {
          expect((await store.getKyc(referenceId))?.status, referenceId).toBe(status);
        }
      } finally {
        await store.close();
      }
    } finally {
      await service.stop();
      await proxy.close();
    }
  }, 150_000);

  it('a signed event with a NUL in its id is quarantined while 200 concurrent genuine deliveries all get 200', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const service = await startServiceProcess(serviceEnv(schema));
    services.push(service);
    const post = async (delivery: { body: string; headers: Record<string, string> }) => {
      const response = await fetch(`${service.url}/webhooks/persona`, {
        method: 'POST',
        body: delivery.body,
        headers: delivery.headers,
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    const genuine = Array.from({ length: 200 }, () => signedEvent({ name: 'inquiry.approved' }));
    const poison = signedEvent({ name: 'inquiry.approved', eventId: 'evt_poison\u0000' });
    const answers = await Promise.all([...genuine, poison].map(post));
    expect(answers.slice(0, 200).map((a) => a.status)).toEqual(Array(200).fill(200));
    expect(answers[200]).toMatchObject({ status: 202, json: { received: true, quarantined: true } });
    const store = await openSchema(schema);
    try {
      const counts = await store.counts();
      expect(counts.dead).toBe(1);
      expect(counts.pending + counts.processing + counts.done).toBe(200);
    } finally {
      await store.close();
    }
  });
});
