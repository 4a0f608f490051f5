/**
 * `persona-webhooks webhooks …` against the emulator: list, create (subscribed to the policy's events,
 * the secret printed once with what to do), subscribe (the policy's missing events added),
 * enable/disable, and rotate-secret — whose printed PERSONA_WEBHOOK_SECRET, given to a real service,
 * accepts the delivery Persona then signs with both secrets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kycPolicyEvents } from 'persona-webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startTestEmulator } from '../helpers/emulator.js';
import { runCli } from '../helpers/run-cli.js';
import { admin, eventually, startServiceProcess } from '../helpers/service-process.js';

let emulator: Emulator;
let dir: string;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = mkdtempSync(join(tmpdir(), 'pw-webhooks-'));
});
afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(['webhooks', ...args], {
    env: { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: emulator.apiKey, ...env },
  });

describe('persona-webhooks webhooks', () => {
  it('creates a webhook for every event the KYC policy reads and prints its secret once, with what to do with it', async () => {
    const result = await cli(['create', '--url', 'http://127.0.0.1:9/webhooks/persona']);
    expect(result.code).toBe(0);
    const [created] = emulator.state.webhooksNewestFirst();
    expect(created).toMatchObject({ url: 'http://127.0.0.1:9/webhooks/persona', status: 'enabled' });
    // Cases, report runs and transactions too: without them a match after approval never holds a user.
    expect(created!.enabledEvents).toEqual(kycPolicyEvents());
    expect(created!.enabledEvents).toEqual(
      expect.arrayContaining([
        'inquiry.approved',
        'inquiry.expired',
        'account.redacted',
        'case.status-updated',
        'case.resolved',
        'report/watchlist.matched',
        'report/screening.matched',
        'report/custom-list.dismissed',
        'transaction.created',
        'transaction.status-updated',
      ]),
    );
    // Counted by family, not dumped.
    expect(result.stdout).toMatch(
      /\nEvents: \d+ — inquiry 9, account 13, case 13, transaction 8, report \d+ \(\d+ types\): every event the KYC policy reads/,
    );
    expect(result.stdout).not.toContain('report/watchlist.matched');
    expect(result.stdout).toContain(
      `Created webhook ${created!.id} (enabled) → http://127.0.0.1:9/webhooks/persona`,
    );
    expect(result.stdout).toContain(`\n  PERSONA_WEBHOOK_SECRET=${created!.secrets[0]!.value}\n`);
    expect(result.stdout).toContain('persona-webhooks doctor --url http://127.0.0.1:9/webhooks/persona');

    const listed = await cli(['list']);
    expect(listed.stdout).toContain(`${created!.id}  enabled   http://127.0.0.1:9/webhooks/persona`);
    expect(listed.stdout).not.toContain(created!.secrets[0]!.value);
    expect(listed.stdout).toMatch(
      /\n {2}events: \d+ — inquiry 9, account 13, case 13, transaction 8, report \d+ \(\d+ types\) \(--json lists them\)\n/,
    );
  });

  it('create --policy leaves out the report types the policy file declares informational', async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ informationalReportTypes: ['email-address', 'phone-number'] }));
    const result = await cli(['create', '--url', 'http://127.0.0.1:9/informational', '--policy', policy]);
    expect(result.code).toBe(0);
    const [created] = emulator.state.webhooksNewestFirst();
    expect(created!.enabledEvents).toEqual(
      kycPolicyEvents({ informationalReportTypes: ['email-address', 'phone-number'] }),
    );
    expect(created!.enabledEvents.some((name) => name.startsWith('report/email-address.'))).toBe(false);
    expect(created!.enabledEvents).toContain('report/watchlist.matched');

    // The service's own variable is read when no flag is given; --events still wins over both.
    const fromEnv = await cli(['create', '--url', 'http://127.0.0.1:9/env'], {
      PERSONA_WEBHOOKS_POLICY: policy,
    });
    expect(fromEnv.code).toBe(0);
    expect(emulator.state.webhooksNewestFirst()[0]!.enabledEvents).toEqual(created!.enabledEvents);
    const chosen = await cli([
      'create',
      '--url',
      'http://127.0.0.1:9/chosen',
      '--events',
      'inquiry.approved,case.resolved',
    ]);
    expect(chosen.stdout).toContain('\nEvents: inquiry.approved, case.resolved\n');
  });

  it("subscribe adds the policy's missing events to a webhook, keeping its events and its secret", async () => {
    const webhook = emulator.createWebhook({
      url: 'http://127.0.0.1:9/subscribe',
      enabledEvents: ['inquiry.approved', 'inquiry.declined', 'verification.passed'],
    });
    const secret = webhook.secrets[0]!.value;
    const result = await cli(['subscribe', webhook.id]);
    expect(result.code).toBe(0);
    expect(webhook.secrets.map((s) => s.value)).toEqual([secret]);
    expect(webhook.enabledEvents.slice(0, 3)).toEqual([
      'inquiry.approved',
      'inquiry.declined',
      'verification.passed',
    ]);
    expect(new Set(webhook.enabledEvents)).toEqual(new Set([...kycPolicyEvents(), 'verification.passed']));
    const added = kycPolicyEvents().length - 2;
    expect(result.stdout).toContain(`Subscribed ${webhook.id} to ${added} more events: `);
    expect(result.stdout).toContain('case.* (13 events)');
    expect(result.stdout).toContain(`It now sends ${added + 3} events; its secret is unchanged.`);

    const again = await cli(['subscribe', webhook.id]);
    expect(again.stdout).toBe(`${webhook.id} already sends every event the KYC policy reads.\n`);
    const unknown = await cli(['subscribe', 'wbh_missing']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/GET \/webhooks\/wbh_missing answered 404/);
  });

  it('disables and enables a webhook', async () => {
    const webhook = emulator.createWebhook({ url: 'http://127.0.0.1:9/hook', enabledEvents: ['*'] });
    const disabled = await cli(['disable', webhook.id]);
    expect(disabled.stdout).toContain(`${webhook.id} is disabled → http://127.0.0.1:9/hook`);
    expect(webhook.status).toBe('disabled');
    const enabled = await cli(['enable', webhook.id]);
    expect(enabled.stdout).toBe(`${webhook.id} is enabled → http://127.0.0.1:9/hook\n`);
    expect(webhook.status).toBe('enabled');
  });

  it('explains an unknown webhook id and a missing API key', async () => {
    const unknown = await cli(['enable', 'wbh_missing']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^persona-webhooks: Persona API POST \/webhooks\/wbh_missing\/enable answered 404: Record not found/,
    );
    const noKey = await runCli(['webhooks', 'list'], { env: { PERSONA_API_URL: emulator.apiUrl } });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(
      /^persona-webhooks: PERSONA_API_KEY is required to manage webhooks: create an API key/,
    );
  });

  it('rotate-secret prints the value to deploy; a service given it accepts the two-signature delivery', async () => {
    const receiverDir = join(dir, 'rotation.sqlite');
    const oldSecret = 'wbhsec_before_rotation_0123456789';
    // The receiver exists first, on the old secret; the webhook points at it.
    let service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: oldSecret,
      DATABASE_URL: `sqlite:${receiverDir}`,
    });
    const webhook = emulator.createWebhook({
      url: `${service.url}/webhooks/persona`,
      enabledEvents: ['*'],
      secret: oldSecret,
    });
    try {
      const rotated = await cli(['rotate-secret', webhook.id, '--expires-in', '7200']);
      expect(rotated.code).toBe(0);
      const newSecret = webhook.secrets[0]!.value;
      expect(rotated.stdout).toContain(`Rotated the secret of ${webhook.id}. New secret: ${newSecret}`);
      expect(rotated.stdout).toMatch(/until \d{4}-\d\d-\d\dT[\d:.]+Z \(2 h from now\)/);
      const deploy = /\n {2}PERSONA_WEBHOOK_SECRET=(\S+)\n/.exec(rotated.stdout)?.[1];
      expect(deploy).toBe(`${newSecret},${oldSecret}`);
      expect(rotated.stdout).toContain(`drop the old one: PERSONA_WEBHOOK_SECRET=${newSecret}`);

      // Deploy what it printed; restart on the same port and database.
      const port = new URL(service.url).port;
      await service.stop();
      service = await startServiceProcess({
        PERSONA_WEBHOOK_SECRET: deploy!,
        DATABASE_URL: `sqlite:${receiverDir}`,
        PORT: port,
      });

      const event = emulator.state.recordEvent({ name: 'inquiry.approved', referenceId: 'rotated-user' });
      await eventually(
        async () =>
          emulator.state.deliveries.find((d) => d.eventId === event.id && d.webhookId === webhook.id)
            ?.status === 'completed',
      );
      const attempt = emulator.state.attempts.find(
        (a) => a.eventId === event.id && a.webhookId === webhook.id,
      )!;
      expect(attempt.signature.split(' ')).toHaveLength(2);
      expect(attempt.status).toBe(200);
      const stored = await admin(service.url, `/api/events/${event.id}`);
      expect(stored.json).toMatchObject({ id: event.id, name: 'inquiry.approved', source: 'webhook' });
    } finally {
      await service.stop();
    }
  });
});
