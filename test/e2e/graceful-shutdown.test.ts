/** SIGTERM during a burst: the service stops accepting, finishes in-flight requests, and loses no acknowledged event. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../packages/server/src/open-store.js';
import { SECRET } from '../helpers/deliveries.js';
import { kycScenario } from '../helpers/kyc-scenario.js';
import { deliverLikePersona } from '../helpers/persona-sender.js';
import { logLines, startServiceProcess } from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-term-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGTERM during a burst', () => {
  it('exits 0 and every acknowledged event is in the store', async () => {
    const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
    const service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl });
    const { deliveries } = kycScenario(100, { prefix: 'term' });
    let signalled = false;

    const results = await deliverLikePersona(deliveries, {
      urls: `${service.url}/webhooks/persona`,
      concurrency: 20,
      maxAttempts: 1, // no retries: we want to see exactly what was acknowledged before the stop
      onAcknowledged: (_id, count) => {
        if (count === 100 && !signalled) {
          signalled = true;
          service.child.kill('SIGTERM');
        }
      },
    });
    expect(await service.exited).toBe(0);
    expect(logLines(service.output().stdout).some((line) => line['msg'] === 'stopped')).toBe(true);

    const acknowledged = results.filter((r) => r.acknowledged).map((r) => r.eventId);
    expect(acknowledged.length).toBeGreaterThanOrEqual(100);
    expect(acknowledged.length).toBeLessThan(deliveries.length); // the stop really cut the burst short

    const store = await openStore(databaseUrl);
    try {
      for (const id of acknowledged) expect((await store.getEvent(id))?.id, id).toBe(id);
    } finally {
      await store.close();
    }
  }, 60_000);
});
