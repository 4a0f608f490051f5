/**
 * The outbox survives a crash: the decision commits (with its message) while the receiving app is down,
 * the service is killed with SIGKILL before any attempt got through, the app comes back, the service
 * restarts on the same database — and the message is sent, once, with its original webhook-id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/index.js';
import { openStore } from '../../packages/server/src/open-store.js';
import { type AppReceiver, startAppReceiver } from '../helpers/app-receiver.js';
import { SECRET, signedEvent } from '../helpers/deliveries.js';
import {
  eventually,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-outbound-crash-'));
const services: ServiceProcess[] = [];
let app: AppReceiver | undefined;

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await app?.down();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbound webhooks across a SIGKILL or a SIGTERM', () => {
  it('decision committed, app down, kill -9, app back, restart: the message is still sent, once', async () => {
    const secret = generateEndpointSecret();
    app = await startAppReceiver(secret);
    await app.down();
    const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
    const env = {
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: databaseUrl,
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([{ url: app.url, secret }]),
      // Long enough that nothing retries before the kill; short enough for the restarted one.
      PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS: '2s,2s,2s,2s,2s',
    };
    const first = await startServiceProcess(env);
    services.push(first);
    const event = signedEvent({ name: 'inquiry.approved', referenceId: 'crash-1' });
    const response = await fetch(`${first.url}/webhooks/persona`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    expect(response.status).toBe(200);
    // The decision and its message are committed; the one attempt so far failed (the app is down).
    const failed = await eventually(async () =>
      logLines(first.output().stdout).find((line) => line['msg'] === 'webhook delivery'),
    );
    expect(failed).toMatchObject({ outcome: 'retry', attempt: 1 });
    first.child.kill('SIGKILL');
    await first.exited;

    await app.up();
    const second = await startServiceProcess(env);
    services.push(second);
    const message = await eventually(async () => app!.messages[0], 20_000);
    expect(message.webhookId).toBe(failed['messageId']);
    expect(message.data).toMatchObject({ referenceId: 'crash-1', decision: 'approved' });
    await second.stop();
    expect(app.messages).toHaveLength(1);
    expect(app.refused).toBe(0);
    const store = await openStore(databaseUrl);
    const detail = await store.getDelivery(message.webhookId);
    await store.close();
    expect(detail).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(detail!.attemptLog.map((a) => a.statusCode)).toEqual([null, 204]);
  }, 60_000);

  it('SIGTERM while an attempt is in flight: the attempt finishes and is recorded before the store closes', async () => {
    const secret = generateEndpointSecret();
    const slow = await startAppReceiver(secret);
    slow.delayMs = 1500;
    const databaseUrl = `sqlite:${join(dir, 'graceful.sqlite')}`;
    const service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: databaseUrl,
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([{ url: slow.url, secret }]),
    });
    services.push(service);
    const event = signedEvent({ name: 'inquiry.approved', referenceId: 'graceful-1' });
    await fetch(`${service.url}/webhooks/persona`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    const store = await openStore(databaseUrl);
    try {
      await eventually(async () => (await store.deliveryStats()).sending === 1);
      expect(await service.stop('SIGTERM')).toBe(0);
      expect(slow.messages).toHaveLength(1);
      const [delivery] = (await store.listDeliveries({})).deliveries;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 204 });
      // The delivered row above is what proves the attempt was recorded before the store closed (a
      // write after the close is refused). The log line's place relative to `stopped` is not asserted:
      // one CI run logged it after `stopped` (cause not found yet; see the issue 18 note).
      const lines = logLines(service.output().stdout);
      const delivered = lines.find((line) => line['msg'] === 'webhook delivery');
      expect(delivered).toMatchObject({ outcome: 'delivered', statusCode: 204 });
      expect(service.output().stdout + service.output().stderr).not.toMatch(/error during shutdown/);
    } finally {
      await store.close();
      await slow.down();
    }
  }, 60_000);
});
