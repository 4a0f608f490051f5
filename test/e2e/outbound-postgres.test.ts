/**
 * Outbound webhooks with two service instances on one PostgreSQL database: every event delivered to both
 * instances, and each decision-change message reaches the application once, verified, in order per user.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/index.js';
import { openStore } from '../../packages/server/src/open-store.js';
import { type AppReceiver, startAppReceiver, summarizeAppMessages } from '../helpers/app-receiver.js';
import { SECRET } from '../helpers/deliveries.js';
import { kycScenario } from '../helpers/kyc-scenario.js';
import { deliverLikePersona } from '../helpers/persona-sender.js';
import { dropTestSchema, postgresReachable, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.js';
import {
  eventually,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const reachable = await postgresReachable();
const schemas: string[] = [];
const services: ServiceProcess[] = [];
let app: AppReceiver | undefined;

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await app?.down();
  await Promise.all(schemas.map((schema) => dropTestSchema(schema)));
});

describe.skipIf(!reachable)('outbound webhooks, two instances on PostgreSQL', () => {
  it('each message is delivered once', async () => {
    const schema = testSchemaName();
    schemas.push(schema);
    const secret = generateEndpointSecret();
    app = await startAppReceiver(secret);
    const env = {
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: TEST_POSTGRES_URL,
      PERSONA_WEBHOOKS_PG_SCHEMA: schema,
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([{ url: app.url, secret }]),
    };
    // One after the other: both migrate the same schema.
    const a = await startServiceProcess(env);
    services.push(a);
    const b = await startServiceProcess(env);
    services.push(b);
    const { deliveries, expected } = kycScenario(40, { prefix: 'pgout' });
    const [toA, toB] = await Promise.all([
      deliverLikePersona(deliveries, { urls: `${a.url}/webhooks/persona`, concurrency: 8 }),
      deliverLikePersona(deliveries, { urls: `${b.url}/webhooks/persona`, concurrency: 8 }),
    ]);
    for (const results of [toA, toB]) expect(results.every((r) => r.acknowledged)).toBe(true);

    const store = await openStore(TEST_POSTGRES_URL, { postgresSchema: schema });
    try {
      await eventually(async () => {
        const counts = await store.counts();
        const stats = await store.deliveryStats();
        return (
          counts.pending + counts.processing === 0 &&
          stats.pending + stats.sending === 0 &&
          app!.messages.length === stats.delivered
        );
      }, 60_000);
      const stored = await store.listDeliveries({ limit: 500 });
      expect(stored.deliveries.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
      const summary = summarizeAppMessages(app.messages);
      expect(app.refused).toBe(0);
      expect(summary.duplicateIds).toEqual([]);
      expect(summary.outOfOrderUsers).toEqual([]);
      expect(app.messages).toHaveLength(stored.deliveries.length);
      expect(summary.lastDecision).toEqual(expected);
    } finally {
      await store.close();
    }
    // Both instances ran a delivery worker; between them, one delivered attempt per message.
    const delivered = [a, b].map(
      (service) =>
        logLines(service.output().stdout).filter(
          (line) => line['msg'] === 'webhook delivery' && line['outcome'] === 'delivered',
        ).length,
    );
    expect(delivered[0]! + delivered[1]!).toBe(app.messages.length);
  }, 120_000);
});
