/**
 * Reconciliation with two real service processes on one PostgreSQL schema: they share the checkpoint,
 * the lease and the schedule, so runs never overlap, come one interval apart whichever instance runs
 * them, and every recovered event is stored, warned about and counted once in all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../packages/server/src/open-store.js';
import { RECOVERED_WARNING } from '../../packages/server/src/reconcile/reconciler.js';
import { SECRET } from '../helpers/deliveries.js';
import { type Emulator, startTestEmulator } from '../helpers/emulator.js';
import { dropTestSchema, postgresReachable, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.js';
import {
  admin,
  eventually,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const reachable = await postgresReachable();
const services: ServiceProcess[] = [];
const schemas: string[] = [];
let emulator: Emulator | undefined;

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await emulator?.close();
  await Promise.all(schemas.map((schema) => dropTestSchema(schema)));
});

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.split(' ')[1],
  );
}

describe.skipIf(!reachable)('reconciliation on PostgreSQL with two instances', () => {
  it('one run at a time, one interval apart, each missed event recovered once', async () => {
    emulator = await startTestEmulator({ maxPageSize: 5 });
    const missed = Array.from({ length: 30 }, (_, i) =>
      emulator!.state.recordEvent({
        name: 'inquiry.approved',
        referenceId: `pg-user-${i}`,
        createdAt: new Date(Date.now() - 3_600_000 + i * 1_000),
        deliver: false,
      }),
    );
    const schema = testSchemaName();
    schemas.push(schema);
    const env = {
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: TEST_POSTGRES_URL,
      PERSONA_WEBHOOKS_PG_SCHEMA: schema,
      PERSONA_API_URL: emulator.apiUrl,
      PERSONA_API_KEY: emulator.apiKey,
      PERSONA_RECONCILE_INTERVAL_SECONDS: '1',
      PERSONA_RECONCILE_MIN_AGE_SECONDS: '0',
    };
    const [a, b] = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
    services.push(a!, b!);

    const store = await openStore(TEST_POSTGRES_URL, { postgresSchema: schema });
    try {
      await eventually(async () => (await store.counts()).done === missed.length, 30_000);
      // Let several more intervals pass with both instances polling.
      await new Promise((resolve) => setTimeout(resolve, 4_000));

      const page = await store.listEvents({ limit: 100 });
      expect(page.events.map((e) => e.id).sort()).toEqual(missed.map((e) => e.id).sort());
      expect(new Set(page.events.map((e) => e.source))).toEqual(new Set(['api']));
    } finally {
      await store.close();
    }

    // A run starts with the first page (no cursor). Runs never overlap and follow the shared schedule.
    const requests = emulator.state.requests.filter((r) => r.url.startsWith('/api/v1/events'));
    const starts = requests.filter((r) => !r.url.includes('page%5Bafter%5D')).map((r) => r.atMs);
    expect(starts.length).toBeGreaterThanOrEqual(4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const gap of gaps) expect(gap, `run starts ${gaps.join(', ')} ms apart`).toBeGreaterThanOrEqual(950);
    // The first run read every page once (30 events in pages of 5); the others read one page each.
    expect(requests.length).toBe(6 + (starts.length - 1));

    const warned = [a!, b!].flatMap((s) =>
      logLines(s.output().stdout)
        .filter((l) => l['msg'] === RECOVERED_WARNING)
        .map((l) => l['eventId']),
    );
    expect(warned.sort()).toEqual(missed.map((e) => e.id).sort());
    const counted =
      (await metric(a!.url, 'persona_webhook_backfilled_events_total')) +
      (await metric(b!.url, 'persona_webhook_backfilled_events_total'));
    expect(counted).toBe(missed.length);
    for (const service of [a!, b!]) {
      const status = await admin(service.url, '/api/reconcile');
      expect(status.json).toMatchObject({
        enabled: true,
        recoveredTotal: missed.length,
        lastRun: { result: 'ok' },
      });
    }
    expect(
      await eventually(async () => {
        const users = await admin(a!.url, '/api/kyc/pg-user-29');
        return users.json['status'] === 'approved';
      }),
    ).toBe(true);
  });
});
