/**
 * Outbound `kyc.decision_changed` webhooks from the real service process (SQLite) to a receiving app that
 * verifies every message with the official `standardwebhooks` package: the app down for a while and then
 * back, secret rotation with the CLI, what the log and the metrics show, and the configuration refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/index.js';
import { openStore } from '../../packages/server/src/open-store.js';
import {
  type AppReceiver,
  metricValue,
  startAppReceiver,
  summarizeAppMessages,
} from '../helpers/app-receiver.js';
import { SECRET, signedEvent } from '../helpers/deliveries.js';
import { freePort } from '../helpers/free-port.js';
import { kycScenario } from '../helpers/kyc-scenario.js';
import { deliverLikePersona } from '../helpers/persona-sender.js';
import { runCli } from '../helpers/run-cli.js';
import {
  eventually,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-outbound-'));
const services: ServiceProcess[] = [];
const apps: AppReceiver[] = [];
let files = 0;

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop()));
  await Promise.all(apps.map((app) => app.down()));
  rmSync(dir, { recursive: true, force: true });
});

function database(): string {
  return `sqlite:${join(dir, `db-${files++}.sqlite`)}`;
}

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

describe('outbound webhooks (real service process, SQLite)', () => {
  it('the app is down for a while, then back: every decision arrives verified, once by webhook-id, in order per user', async () => {
    const secret = generateEndpointSecret();
    const app = await startAppReceiver(secret);
    apps.push(app);
    await app.down();
    const databaseUrl = database();
    const service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: databaseUrl,
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([{ url: app.url, secret }]),
      PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS: Array(30).fill('300ms').join(','),
    });
    services.push(service);
    const { deliveries, expected } = kycScenario(20, { prefix: 'down' });
    const sent = await deliverLikePersona(deliveries, { urls: `${service.url}/webhooks/persona` });
    expect(sent.every((r) => r.acknowledged)).toBe(true);

    // Down: attempts fail and are retried.
    await eventually(
      async () =>
        metricValue(await scrape(service.url), 'persona_webhook_outbound_deliveries_total{result="retry"}') >=
        20,
    );
    expect(app.messages).toHaveLength(0);
    await app.up();

    await eventually(async () => {
      const metrics = await scrape(service.url);
      return metricValue(metrics, 'persona_webhook_outbound_pending') === 0 && app.messages.length > 0;
    }, 30_000);
    const store = await openStore(databaseUrl);
    const stored = await store.listDeliveries({ limit: 500 });
    const stats = await store.deliveryStats();
    await store.close();
    expect(stats).toMatchObject({ pending: 0, sending: 0, dead: 0, oldestUndeliveredAtMs: null });
    expect(stats.delivered).toBe(stored.deliveries.length);

    const summary = summarizeAppMessages(app.messages);
    expect(app.refused).toBe(0);
    expect(summary.duplicateIds).toEqual([]);
    expect(summary.outOfOrderUsers).toEqual([]);
    expect(new Set(app.messages.map((m) => m.webhookId))).toEqual(
      new Set(stored.deliveries.map((d) => d.id)),
    );
    expect(summary.lastDecision).toEqual(expected);

    const metrics = await scrape(service.url);
    expect(metricValue(metrics, 'persona_webhook_outbound_deliveries_total{result="delivered"}')).toBe(
      stored.deliveries.length,
    );
    expect(metricValue(metrics, 'persona_webhook_outbound_deliveries_total{result="dead"}')).toBe(0);
    expect(metricValue(metrics, 'persona_webhook_outbound_oldest_undelivered_age_seconds')).toBe(0);

    // Each attempt is logged by ids, never with the URL, the payload or a secret.
    const { stdout, stderr } = service.output();
    const attempts = logLines(stdout).filter((line) => line['msg'] === 'webhook delivery');
    expect(attempts.filter((line) => line['outcome'] === 'delivered')).toHaveLength(stored.deliveries.length);
    expect(attempts.find((line) => line['outcome'] === 'retry')).toMatchObject({
      messageId: expect.stringMatching(/^msg_/),
      endpointId: expect.stringMatching(/^ep_[0-9a-f]{12}$/),
      attempt: 1,
      statusCode: null,
      error: expect.stringContaining('connection failed'),
    });
    for (const leak of [secret, secret.slice(6), app.url, '"previousDecision"']) {
      expect(`${stdout}${stderr}`).not.toContain(leak);
    }
  }, 90_000);

  it('a burst of decisions while the app is up: every message delivered (the sender never stalls)', async () => {
    const secret = generateEndpointSecret();
    const app = await startAppReceiver(secret);
    apps.push(app);
    const service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: database(),
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([{ url: app.url, secret }]),
    });
    services.push(service);
    const { deliveries, expected } = kycScenario(100, { prefix: 'burst' });
    const sent = await deliverLikePersona(deliveries, {
      urls: `${service.url}/webhooks/persona`,
      concurrency: 50,
    });
    expect(sent.every((r) => r.acknowledged)).toBe(true);
    await eventually(async () => {
      const metrics = await scrape(service.url);
      return (
        metricValue(metrics, 'persona_webhook_inbox_pending') === 0 &&
        metricValue(metrics, 'persona_webhook_outbound_pending') === 0
      );
    }, 30_000);
    const summary = summarizeAppMessages(app.messages);
    expect(summary.duplicateIds).toEqual([]);
    expect(summary.outOfOrderUsers).toEqual([]);
    expect(summary.lastDecision).toEqual(expected);
  }, 60_000);

  it('rotate-secret: both signatures are present while the old secret lasts, and each verifies', async () => {
    const databaseUrl = database();
    const service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl });
    services.push(service);
    const oldSecret = generateEndpointSecret();
    const app = await startAppReceiver(oldSecret);
    apps.push(app);
    const env = { DATABASE_URL: databaseUrl };
    const added = await runCli(['endpoints', 'add', app.url, '--secret', oldSecret], { env });
    expect(added.code, added.stderr).toBe(0);
    const id = /^endpoint (ep_\w+)$/m.exec(added.stdout)![1]!;

    const rotated = await runCli(['endpoints', 'rotate-secret', id, '--keep-old', '1h'], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stderr).toMatch(/the old one keeps signing until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const newSecret = rotated.stdout.trim();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);

    const listed = await runCli(['endpoints', 'list', '--json'], { env });
    const endpoints = (JSON.parse(listed.stdout) as { endpoints: Array<{ id: string; secrets: unknown[] }> })
      .endpoints;
    expect(endpoints).toEqual([
      expect.objectContaining({
        id,
        source: 'cli',
        enabled: true,
        secrets: [{ expiresAt: null }, { expiresAt: expect.any(String) }],
      }),
    ]);
    const table = await runCli(['endpoints', 'list'], { env });
    for (const output of [listed.stdout, table.stdout]) {
      expect(output).not.toContain(oldSecret.slice(6));
      expect(output).not.toContain(newSecret.slice(6));
    }
    expect(table.stdout).toMatch(/current, old until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    const event = signedEvent({ name: 'inquiry.approved', referenceId: 'rotated-1' });
    const response = await fetch(`${service.url}/webhooks/persona`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    expect(response.status).toBe(200);
    const message = await eventually(async () => app.messages.at(-1));
    expect(message.data).toMatchObject({ referenceId: 'rotated-1', decision: 'approved' });
    const signatures = String(message.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    const headers = message.headers as Record<string, string>;
    for (const secret of [newSecret, oldSecret]) {
      expect(new Webhook(secret).verify(message.body, headers)).toMatchObject({
        type: 'kyc.decision_changed',
      });
      // Each secret's signature is one of the two, not both from one secret.
      const only = signatures.filter((signature) => {
        try {
          new Webhook(secret).verify(message.body, { ...headers, 'webhook-signature': signature });
          return true;
        } catch {
          return false;
        }
      });
      expect(only).toHaveLength(1);
    }

    // The CLI sees the message and its attempt.
    const list = await runCli(['deliveries', 'list', '--json'], { env });
    const rows = (JSON.parse(list.stdout) as { deliveries: Array<Record<string, unknown>> }).deliveries;
    expect(rows).toEqual([
      expect.objectContaining({
        id: message.webhookId,
        endpointId: id,
        status: 'delivered',
        decision: 'approved',
      }),
    ]);
    const shown = await runCli(['deliveries', 'show', message.webhookId], { env });
    expect(shown.stdout).toMatch(/status +delivered/);
    expect(shown.stdout).toMatch(/^1 +\d{4}-.* UTC +\d+ ms +204 +-$/m);
    const replayed = await runCli(['deliveries', 'replay', message.webhookId], { env });
    expect(replayed.stdout).toContain(`replayed ${message.webhookId}`);
    await eventually(async () => app.messages.length === 2);
    expect(app.messages[1]!.webhookId).toBe(message.webhookId);
    expect((await runCli(['deliveries', 'replay', 'msg_nope'], { env })).code).toBe(1);
  }, 60_000);

  it('an env endpoint: listed with source env, not rotatable by the CLI, disabled once no longer listed', async () => {
    const databaseUrl = database();
    const url = 'https://app.example/kyc';
    const first = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: databaseUrl,
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([
        { url, secrets: [generateEndpointSecret(), generateEndpointSecret()] },
      ]),
    });
    await first.stop();
    const env = { DATABASE_URL: databaseUrl };
    const listed = JSON.parse((await runCli(['endpoints', 'list', '--json'], { env })).stdout) as {
      endpoints: Array<{ id: string; source: string; enabled: boolean; secrets: unknown[] }>;
    };
    expect(listed.endpoints).toEqual([
      expect.objectContaining({
        url,
        source: 'env',
        enabled: true,
        secrets: [{ expiresAt: null }, { expiresAt: null }],
      }),
    ]);
    const id = listed.endpoints[0]!.id;
    const refused = await runCli(['endpoints', 'rotate-secret', id], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PERSONA_WEBHOOKS_APP_ENDPOINTS');
    expect(refused.stdout).toBe('');

    const second = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl });
    await second.stop();
    const after = JSON.parse((await runCli(['endpoints', 'list', '--json'], { env })).stdout) as {
      endpoints: Array<{ id: string; enabled: boolean }>;
    };
    expect(after.endpoints).toEqual([expect.objectContaining({ id, enabled: false })]);
  }, 60_000);

  it('refuses at start: an endpoint pointing at the service itself or at the metadata address, a non-http URL, a bad secret (never echoed)', async () => {
    const port = await freePort();
    const secret = generateEndpointSecret();
    const cases: Array<[string, RegExp]> = [
      [JSON.stringify([{ url: `http://localhost:${port}/admin`, secret }]), /points at this service itself/],
      [JSON.stringify([{ url: `http://0.0.0.0:${port}/`, secret }]), /0\.0\.0\.0 is not an address/],
      [
        JSON.stringify([{ url: 'http://169.254.169.254/latest/meta-data/', secret }]),
        /\[0\]\.url: is refused: 169\.254\.169\.254 is a cloud metadata address/,
      ],
      [JSON.stringify([{ url: 'ftp://app.example/kyc', secret }]), /\[0\]\.url: must be an http/],
      [
        JSON.stringify([{ url: 'https://app.example/kyc', secret: 'whsec_short-secret-value' }]),
        /\[0\]\.secret: must be a whsec_/,
      ],
      ['not json', /must be a JSON array/],
    ];
    for (const [value, message] of cases) {
      const result = await runCli(['serve'], {
        env: {
          PERSONA_WEBHOOK_SECRET: SECRET,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: database(),
          ADMIN_TOKEN: 'test-admin-token-0123456789',
          PERSONA_WEBHOOKS_APP_ENDPOINTS: value,
        },
      });
      expect(result.code, value).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(`${result.stdout}${result.stderr}`).not.toContain(secret.slice(6));
      expect(`${result.stdout}${result.stderr}`).not.toContain('short-secret-value');
    }
    // The CLI refuses the same, against PORT.
    const cli = await runCli(['endpoints', 'add', `http://127.0.0.1:${port}/x`], {
      env: { DATABASE_URL: database(), PORT: String(port) },
    });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/points at this service itself/);
  }, 60_000);
});
