/**
 * Crash safety: the server is killed with SIGKILL while a sender that retries like Persona delivers a few
 * hundred events; after a restart and the sender's retries, every event is stored once and processed
 * once, and every user's status is right.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../packages/server/src/open-store.js';
import { SECRET } from '../helpers/deliveries.js';
import { freePort } from '../helpers/free-port.js';
import { kycScenario } from '../helpers/kyc-scenario.js';
import { deliverLikePersona } from '../helpers/persona-sender.js';
import {
  admin,
  eventually,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGKILL during delivery', () => {
  it('loses no acknowledged event and applies each exactly once', async () => {
    const port = await freePort();
    const env = {
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      PORT: String(port),
      PERSONA_WEBHOOKS_HANDLERS: join(REPO_ROOT, 'test/fixtures/handlers/append-log.mjs'),
      HANDLER_LOG: join(dir, 'handled.log'),
      PERSONA_WEBHOOKS_LEASE_SECONDS: '2',
    };
    const { deliveries, expected } = kycScenario(75, { prefix: 'crash' }); // 300 events
    let service: ServiceProcess = await startServiceProcess(env);
    let restarted: Promise<ServiceProcess> | undefined;

    const results = await deliverLikePersona(deliveries, {
      urls: `http://127.0.0.1:${port}/webhooks/persona`,
      concurrency: 16,
      retryDelayMs: 50,
      deadlineMs: 60_000,
      onAcknowledged: (_id, count) => {
        if (count !== 120 || restarted) return;
        service.child.kill('SIGKILL');
        restarted = service.exited.then(() => startServiceProcess(env));
      },
    });
    expect(restarted).toBeDefined();
    service = await restarted!;

    expect(results.filter((r) => !r.acknowledged)).toEqual([]);
    expect(results.some((r) => r.attempts > 1)).toBe(true); // the kill really interrupted deliveries

    await eventually(async () => {
      const pending = await admin(service.url, '/api/events?status=pending&limit=1');
      const processing = await admin(service.url, '/api/events?status=processing&limit=1');
      return (
        (pending.json['events'] as unknown[]).length === 0 &&
        (processing.json['events'] as unknown[]).length === 0
      );
    }, 30_000);
    await service.stop();

    const store = await openStore(env.DATABASE_URL);
    try {
      const counts = await store.counts();
      expect(counts).toEqual({ pending: 0, processing: 0, done: deliveries.length, dead: 0 });
      for (const [referenceId, status] of expected) {
        expect((await store.getKyc(referenceId))?.status, referenceId).toBe(status);
      }
      // User handlers are at-least-once (a crash between the handler and the commit re-runs it); an event
      // handled more than once must show the extra claim in its attempt count.
      const handled = readFileSync(env.HANDLER_LOG, 'utf8').trim().split('\n');
      const runs = new Map<string, number>();
      for (const id of handled) runs.set(id, (runs.get(id) ?? 0) + 1);
      for (const { eventId } of deliveries) {
        const event = await store.getEvent(eventId);
        expect(event?.status).toBe('done');
        expect(runs.get(eventId) ?? 0, eventId).toBeGreaterThanOrEqual(1);
        expect(runs.get(eventId) ?? 0, eventId).toBeLessThanOrEqual(event?.attempts ?? 0);
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
