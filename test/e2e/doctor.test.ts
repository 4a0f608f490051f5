/**
 * `persona-webhooks doctor` as a user runs it, against the emulator and a real service process: all
 * checks pass on a good setup, and each check fails on its own, with its own message and fix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kycPolicyEvents } from 'persona-webhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatedWebhook } from '../../packages/server/src/emulator/emulator-model.js';
import { PERSONA_API_VERSION } from '../../packages/server/src/persona-api/client.js';
import { SECRET } from '../helpers/deliveries.js';
import { type Emulator, startTestEmulator } from '../helpers/emulator.js';
import { freePort } from '../helpers/free-port.js';
import { listen } from '../helpers/listen.js';
import { runCli } from '../helpers/run-cli.js';
import { eventually, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

let service: ServiceProcess;
let dir: string;
let emulator: Emulator;
let webhook: EmulatedWebhook;
const receiverUrl = () => `${service.url}/webhooks/persona`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-doctor-'));
  service = await startServiceProcess({
    PERSONA_WEBHOOK_SECRET: SECRET,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
  });
});
afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  emulator = await startTestEmulator();
  webhook = emulator.createWebhook({ url: receiverUrl(), enabledEvents: ['*'], secret: SECRET });
});
afterEach(async () => {
  await emulator.close();
});

function doctor(args: string[] = ['--url', receiverUrl()], env: Record<string, string> = {}) {
  return runCli(['doctor', ...args], {
    env: {
      PERSONA_API_URL: emulator.apiUrl,
      PERSONA_API_KEY: emulator.apiKey,
      PERSONA_WEBHOOK_SECRET: SECRET,
      ...env,
    },
  });
}

/** The report line of one check. */
function line(stdout: string, title: string): string {
  return (
    stdout.split('\n').find((l) => new RegExp(`^  (passed |FAILED |warning|skipped)  ${title} `).test(l)) ??
    ''
  );
}

/** The `fix:` line right after a check's line. */
function fix(stdout: string, title: string): string {
  const lines = stdout.split('\n');
  return lines[lines.indexOf(line(stdout, title)) + 1]?.trim() ?? '';
}

describe('persona-webhooks doctor', () => {
  it('passes every check on a good setup, the ping verified by the running service, and exits 0', async () => {
    const result = await doctor();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const title of [
      'API key',
      'webhook',
      'enabled',
      'enabled events',
      'secret',
      'API version',
      'recent deliveries',
      'signed ping',
    ]) {
      expect(line(result.stdout, title)).toMatch(/^ {2}passed /);
    }
    expect(line(result.stdout, 'signed ping')).toContain(
      `${receiverUrl()} verified a ping signed with the webhook's secret (200 in`,
    );
    expect(result.stdout).toMatch(/All checks passed\.\n$/);
    expect(result.stdout).not.toContain(SECRET);
    // The ping was answered, not stored.
    const events = await fetch(`${service.url}/api/events`, {
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    });
    expect(((await events.json()) as { events: unknown[] }).events).toEqual([]);
  });

  it('api-key: a rejected key names PERSONA_API_KEY and the permission, and skips what needs the API', async () => {
    const result = await doctor(undefined, { PERSONA_API_KEY: 'persona_sandbox_revoked_key' });
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'API key')).toMatch(
      /FAILED +API key +Persona rejected PERSONA_API_KEY on GET \/webhooks \(401 Unauthorized, Request-Id req_\w+\).*`webhook\.read`/,
    );
    expect(line(result.stdout, 'enabled')).toMatch(/skipped +enabled +needs the API/);
    expect(line(result.stdout, 'signed ping')).toMatch(/^ {2}passed /);
    expect(result.stdout).toMatch(/1 check failed: api-key\.\n$/);
    expect(result.stdout).not.toContain('persona_sandbox_revoked_key');
  });

  it('webhook: no webhook for the URL says so, lists the others and how to create one', async () => {
    const other = receiverUrl().replace('127.0.0.1', 'localhost');
    const result = await doctor(['--url', other]);
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'webhook')).toContain(
      `no webhook points at ${other}, so Persona never calls it. Webhooks here: ${webhook.id} → ${receiverUrl()}.`,
    );
    expect(fix(result.stdout, 'webhook')).toBe(
      `fix: persona-webhooks webhooks create --url ${other} (or correct the URL in Persona Dashboard → Webhooks).`,
    );
    expect(result.stdout).toMatch(/1 check failed: webhook\.\n$/);
  });

  it('enabled: a disabled webhook says how to enable it and recover what it missed', async () => {
    webhook.status = 'disabled';
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'enabled')).toContain(
      `${webhook.id} is disabled: Persona delivers nothing to it and has canceled its pending retries.`,
    );
    expect(fix(result.stdout, 'enabled')).toMatch(
      new RegExp(
        `^fix: persona-webhooks webhooks enable ${webhook.id}, then recover what it missed: persona-webhooks backfill --since`,
      ),
    );
    expect(result.stdout).toMatch(/1 check failed: enabled\.\n$/);
  });

  it('events: a webhook set up for inquiries only (the old default) fails, naming the case and report events', async () => {
    // What `webhooks create` subscribed to before the policy read cases, reports and transactions.
    webhook.enabledEvents = [
      'inquiry.created',
      'inquiry.started',
      'inquiry.approved',
      'inquiry.declined',
      'inquiry.completed',
      'inquiry.failed',
      'inquiry.expired',
      'inquiry.marked-for-review',
      'inquiry.redacted',
      'account.redacted',
    ];
    const result = await doctor(['--url', receiverUrl(), '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; detail: string; fix?: string; missingEvents?: string[] }>;
    };
    const events = report.checks.find((check) => check.id === 'events')!;
    expect(events.status).toBe('failed');
    const required = kycPolicyEvents();
    expect(events.missingEvents).toEqual(required.filter((name) => !webhook.enabledEvents.includes(name)));
    expect(events.missingEvents).toEqual(
      expect.arrayContaining([
        'case.resolved',
        'case.status-updated',
        'report/watchlist.matched',
        'report/screening.matched',
        'report/custom-list.dismissed',
        'transaction.status-updated',
      ]),
    );
    // One item per family, the report types together.
    expect(events.detail).toMatch(
      /^wbh_\S+ does not send account\.\* except account\.redacted \(12 events\), case\.\* \(13 events\), transaction\.\* \(8 events\), report\/\* \(\d+ events of \d+ report types: errored, ready, dismissed, matched\)/,
    );
    expect(events.fix).toContain(`persona-webhooks webhooks subscribe ${webhook.id} (keeps its secret)`);
    expect(events.fix).toContain(`Persona Dashboard → Webhooks → ${webhook.id}, or enable all events (*)`);
    expect(events.fix).toContain(`persona-webhooks webhooks create --url ${receiverUrl()}`);
    expect(report.checks.filter((check) => check.status === 'failed').map((check) => check.id)).toEqual([
      'events',
    ]);
  });

  it('events: a single missing event is named as such, and the printed fix, run, makes doctor pass', async () => {
    webhook.enabledEvents = kycPolicyEvents().filter((name) => name !== 'report/watchlist.matched');
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'enabled events')).toContain(
      `${webhook.id} does not send report/watchlist.matched: the KYC decision never sees them, so a case`,
    );
    const printed = fix(result.stdout, 'enabled events');
    expect(printed).toMatch(
      /^fix: subscribe the webhook to them: persona-webhooks webhooks subscribe wbh_\S+ /,
    );
    expect(result.stdout).toMatch(/1 check failed: events\.\n$/);

    // The fix as printed, run as a user would: afterwards every check passes.
    const command = /persona-webhooks (webhooks subscribe wbh_\S+)/.exec(printed)![1]!.split(' ');
    const subscribed = await runCli(command, {
      env: { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: emulator.apiKey },
    });
    expect(subscribed.stdout).toContain(
      `Subscribed ${webhook.id} to 1 more event: report/watchlist.matched.`,
    );
    const fixed = await doctor();
    expect(line(fixed.stdout, 'enabled events')).toMatch(/passed +enabled events/);
    expect(fixed.code).toBe(0);
  });

  it("events: the policy file's informational report types need not be sent (--policy, or PERSONA_WEBHOOKS_POLICY)", async () => {
    const policy = join(dir, 'watchlist-informational.json');
    writeFileSync(policy, JSON.stringify({ informationalReportTypes: ['watchlist'] }));
    webhook.enabledEvents = kycPolicyEvents({ informationalReportTypes: ['watchlist'] });
    expect(webhook.enabledEvents).not.toContain('report/watchlist.matched');

    const withFlag = await doctor(['--url', receiverUrl(), '--policy', policy]);
    expect(line(withFlag.stdout, 'enabled events')).toMatch(
      /passed +enabled events +wbh_\S+ sends all \d+ events/,
    );
    const withEnv = await doctor(['--url', receiverUrl()], { PERSONA_WEBHOOKS_POLICY: policy });
    expect(withEnv.code).toBe(0);

    // The default policy holds users on watchlist matches: the same webhook lacks its runs.
    const byDefault = await doctor();
    expect(byDefault.code).toBe(1);
    expect(line(byDefault.stdout, 'enabled events')).toContain(
      'does not send report/watchlist (4 events: dismissed, errored, matched, ready)',
    );
  });

  it('events: a wrong policy file stops doctor naming the key, before any call to Persona', async () => {
    const policy = join(dir, 'wrong.json');
    writeFileSync(policy, JSON.stringify({ informationalReportType: ['watchlist'] }));
    const result = await doctor(['--url', receiverUrl(), '--policy', policy]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('informationalReportType');
    expect(result.stdout).toBe('');
  });

  it('secret: a PERSONA_WEBHOOK_SECRET that is not the webhook’s is refused without printing either', async () => {
    const result = await doctor(undefined, { PERSONA_WEBHOOK_SECRET: 'wbhsec_a_stale_copy,wbhsec_another' });
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'secret')).toContain(
      `none of the 2 secrets in PERSONA_WEBHOOK_SECRET is a secret of ${webhook.id}: every delivery is refused with 401 invalid_signature.`,
    );
    expect(fix(result.stdout, 'secret')).toMatch(/^fix: set PERSONA_WEBHOOK_SECRET to wbh_\w+'s secret/);
    for (const secret of [SECRET, 'wbhsec_a_stale_copy', 'wbhsec_another'])
      expect(result.stdout).not.toContain(secret);
    expect(result.stdout).toMatch(/1 check failed: secret\.\n$/);
  });

  it('secret: holding only the old secret during a rotation is a warning naming the expiry', async () => {
    emulator.state.rotateSecret(webhook, 3600);
    const result = await doctor();
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'secret')).toMatch(
      /warning +secret +PERSONA_WEBHOOK_SECRET holds only wbh_\w+'s old secret, which expires at \d{4}-/,
    );
  });

  it('version: an API version we do not parse is named', async () => {
    webhook.apiVersion = '2019-06-01';
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'API version')).toContain(
      'api-version 2019-06-01 is not one we parse (2020-05-18 or later).',
    );
    expect(result.stdout).toMatch(/1 check failed: version\.\n$/);
  });

  it('version: a webhook older than the version recovery reads the API with is a warning naming both', async () => {
    webhook.apiVersion = '2023-01-05';
    const result = await doctor();
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'API version')).toMatch(
      new RegExp(
        `^  warning  API version +api-version 2023-01-05, api-key-inflection kebab: older than ${PERSONA_API_VERSION}, the version events recovered by reconciliation and backfill come in`,
      ),
    );
    expect(fix(result.stdout, 'API version')).toContain(
      `upgrade the webhook to ${PERSONA_API_VERSION} in Persona Dashboard → Webhooks → ${webhook.id}`,
    );
  });

  it('deliveries: failing deliveries give the count, the newest error and the backfill to run', async () => {
    emulator.state.setFaults({ dropDeliveries: 2 });
    emulator.state.recordEvent({ name: 'inquiry.approved' });
    const newest = emulator.state.recordEvent({ name: 'inquiry.declined' });
    const result = await doctor();
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'recent deliveries')).toMatch(
      new RegExp(
        `FAILED +recent deliveries +2 deliveries to ${webhook.id} failed since .*; the newest at .*: dropped by the emulator \\(fault drop-deliveries\\) \\(${newest.id} inquiry\\.declined\\)\\.`,
      ),
    );
    expect(fix(result.stdout, 'recent deliveries')).toMatch(
      /Then recover the events Persona gave up on: persona-webhooks backfill --since \d{4}-/,
    );
    expect(result.stdout).toMatch(/1 check failed: deliveries\.\n$/);
  });

  it('deliveries: failures whose events reconciliation already recovered say so, and when', async () => {
    emulator.state.setFaults({ dropDeliveries: 2 });
    emulator.state.recordEvent({ name: 'inquiry.approved' });
    emulator.state.recordEvent({ name: 'inquiry.declined' });
    const databaseUrl = `sqlite:${join(dir, 'recovered.sqlite')}`;
    expect((await runCli(['migrate', '--database-url', databaseUrl])).code).toBe(0);
    const before = await doctor(undefined, { DATABASE_URL: databaseUrl });
    expect(line(before.stdout, 'recent deliveries')).toMatch(
      /FAILED +recent deliveries +2 deliveries .* None of their events is in the inbox yet\.$/,
    );

    // What reconciliation does on its schedule, done now: the events come in through the Events API.
    const backfill = await runCli(['backfill', '--since', '1h', '--database-url', databaseUrl], {
      env: { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: emulator.apiKey },
    });
    expect(backfill.code, backfill.stderr).toBe(0);
    const after = await doctor(undefined, { DATABASE_URL: databaseUrl });
    expect(line(after.stdout, 'recent deliveries')).toMatch(
      /warning +recent deliveries +2 deliveries .* All 2 of their events were recovered by reconciliation \(Persona's Events API\) (at|between) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
    );
    expect(fix(after.stdout, 'recent deliveries')).not.toContain('backfill');
    expect(after.stdout).not.toMatch(/failed: .*deliveries/);
  });

  it('deliveries: failures followed by successes are a warning', async () => {
    emulator.state.setFaults({ dropDeliveries: 1 });
    emulator.state.recordEvent({ name: 'inquiry.approved' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    emulator.state.recordEvent({ name: 'inquiry.approved' });
    await eventually(async () => emulator.state.deliveries.some((d) => d.status === 'completed'));
    const result = await doctor();
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'recent deliveries')).toMatch(
      /warning +recent deliveries +1 deliveries .* Deliveries succeed again since\./,
    );
  });

  it('ping: a service running with another secret than Persona signs with fails the ping', async () => {
    // Rotated with no overlap: Persona signs with the new secret only; the service still has the old one.
    const rotated = emulator.state.rotateSecret(webhook, 0);
    const result = await doctor(undefined, { PERSONA_WEBHOOK_SECRET: rotated.secrets[0]!.value });
    expect(result.code).toBe(1);
    expect(line(result.stdout, 'secret')).toMatch(/^ {2}passed /);
    expect(line(result.stdout, 'signed ping')).toMatch(
      /FAILED +signed ping +http:\/\/127\.0\.0\.1:\d+\/webhooks\/persona refused a ping signed with the webhook's secret \(401 invalid_signature: no_matching_signature\): the running service has another PERSONA_WEBHOOK_SECRET than Persona signs with\./,
    );
    expect(result.stdout).toMatch(/1 check failed: ping\.\n$/);
  });

  it('ping: an unreachable receiver is a warning, not a failure, and gives up within the timeout', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/webhooks/persona`;
    webhook.url = closed;
    const result = await doctor(['--url', closed, '--ping-timeout', '2']);
    expect(result.code).toBe(0);
    expect(line(result.stdout, 'signed ping')).toContain(
      `warning  signed ping        could not reach ${closed} from here (ECONNREFUSED); Persona may still reach it.`,
    );
  });

  it('ping: a receiver that never answers is a warning after the timeout', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    const { url, close } = await listen(silent);
    try {
      webhook.url = `${url}/webhooks/persona`;
      const started = Date.now();
      const result = await doctor(['--url', webhook.url, '--ping-timeout', '1']);
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(result.code).toBe(0);
      expect(line(result.stdout, 'signed ping')).toContain(
        `could not reach ${webhook.url} from here (no answer within 1000 ms)`,
      );
    } finally {
      await close();
    }
  });
});
