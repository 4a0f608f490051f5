/**
 * Reconciliation in the real service process, against the emulator: events the webhook never brought
 * (a webhook turned off for a day, dropped deliveries) are recovered within one interval and every
 * user's status is right; an event both channels bring is stored once; a bad API key keeps the service
 * receiving webhooks, backs off, and never shows the key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RECOVERED_WARNING } from '../../packages/server/src/reconcile/reconciler.js';
import { personaHeaders, SECRET } from '../helpers/deliveries.js';
import { type Emulator, startTestEmulator } from '../helpers/emulator.js';
import {
  admin,
  eventually,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const HOUR = 3_600_000;
let dir: string;
let emulator: Emulator | undefined;
let service: ServiceProcess | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-reconcile-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await service?.stop();
  await emulator?.close();
  service = undefined;
  emulator = undefined;
});

/** On a failed wait: what the emulator delivered and what the service logged, then the error. */
function explain(error: unknown): never {
  const attempts = emulator?.state.attempts.map(
    (a) => `${a.eventName} #${a.attempt} → ${a.error ?? a.status}`,
  );
  throw new Error(
    `${(error as Error).message}\ndeliveries: ${attempts?.join('; ')}\nservice log tail:\n${service?.output().stdout.slice(-4000)}`,
  );
}

async function kycStatus(url: string, referenceId: string): Promise<string | null> {
  const response = await admin(url, `/api/kyc/${referenceId}`);
  return response.status === 200 ? (response.json['status'] as string) : null;
}

async function metric(url: string, series: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

describe('reconciliation', () => {
  it('recovers a day of events the webhook never delivered, within one interval; both channels store an event once', async () => {
    emulator = await startTestEmulator({ maxPageSize: 3 }); // pages smaller than the 100 asked for
    const database = `sqlite:${join(dir, 'recover.sqlite')}`;
    // The webhook was off yesterday: these exist only in Persona's Events API.
    const yesterday = Date.now() - 24 * HOUR;
    const missed = ['approved', 'declined', 'approved', 'expired', 'marked-for-review'].map((outcome, i) => {
      emulator!.state.recordEvent({
        name: 'inquiry.created',
        referenceId: `offline-${i}`,
        inquiryId: `inq_offline_${i}`,
        createdAt: new Date(yesterday + i * 60_000),
        deliver: false,
      });
      return emulator!.state.recordEvent({
        name: `inquiry.${outcome}`,
        referenceId: `offline-${i}`,
        inquiryId: `inq_offline_${i}`,
        createdAt: new Date(yesterday + i * 60_000 + 1_000),
        deliver: false,
      });
    });

    service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: database,
      PERSONA_API_URL: emulator.apiUrl,
      PERSONA_API_KEY: emulator.apiKey,
      PERSONA_RECONCILE_INTERVAL_SECONDS: '2',
      PERSONA_RECONCILE_MIN_AGE_SECONDS: '1', // the webhook's own deliveries land first
    });
    const webhook = emulator.createWebhook({
      url: `${service.url}/webhooks/persona`,
      enabledEvents: ['*'],
      secret: SECRET,
    });

    // Today: one user through the webhook as usual, two whose deliveries are lost.
    const live = emulator.state.createInquiry({ referenceId: 'live-user' });
    emulator.state.transitionInquiry(live, 'approve');
    await eventually(async () => (await kycStatus(service!.url, 'live-user')) === 'approved').catch(explain);
    emulator.state.setFaults({ dropDeliveries: 2 });
    const dropped = emulator.state.createInquiry({ referenceId: 'dropped-user' });
    emulator.state.transitionInquiry(dropped, 'decline');

    const started = Date.now();
    const expected: Record<string, string> = {
      'offline-0': 'approved',
      'offline-1': 'declined',
      'offline-2': 'approved',
      'offline-3': 'expired',
      'offline-4': 'needs_review',
      'dropped-user': 'declined',
    };
    await eventually(async () => {
      for (const [user, status] of Object.entries(expected)) {
        if ((await kycStatus(service!.url, user)) !== status) return false;
      }
      return true;
    }, 20_000).catch(explain);
    // Within one interval (2 s) of the loss, plus a run and the worker's processing.
    expect(Date.now() - started).toBeLessThan(6_000);

    // Each of the emulator's events is stored exactly once; the source says which channel brought it.
    const listed = await admin(service.url, '/api/events?limit=500');
    const events = listed.json['events'] as Array<{ id: string; source: string }>;
    expect(events.map((e) => e.id).sort()).toEqual(emulator.state.events.map((e) => e.id).sort());
    const sourceOf = (id: string) => events.find((e) => e.id === id)?.source;
    for (const event of missed) expect(sourceOf(event.id)).toBe('api');
    const liveEvents = emulator.state.events.filter((e) => e.objectId === live.id);
    for (const event of liveEvents) expect(sourceOf(event.id)).toBe('webhook');
    const detail = await admin(service.url, `/api/events/${missed[0]!.id}`);
    expect(detail.json).toMatchObject({ id: missed[0]!.id, source: 'api', status: 'done' });

    // An event the API brought first: the webhook's late delivery of the same bytes is a duplicate.
    const lateDelivery = emulator.state.events.find((e) => e.objectId === dropped.id)!;
    const body = JSON.stringify({ data: lateDelivery.resource });
    const late = await fetch(`${service.url}/webhooks/persona`, {
      method: 'POST',
      body,
      headers: personaHeaders(body),
    });
    expect(await late.json()).toEqual({ received: true, duplicate: true });

    const recoveredCount = 2 * missed.length + 2;
    const status = await admin(service.url, '/api/reconcile');
    expect(status.json).toMatchObject({
      enabled: true,
      offReason: null,
      intervalSeconds: 2,
      lastRun: { result: 'ok', error: null },
      failuresInARow: 0,
      recoveredTotal: recoveredCount,
    });
    expect(Date.parse(status.json['checkpoint'] as string)).toBeGreaterThan(started - 5_000);
    expect(await metric(service.url, 'persona_webhook_backfilled_events_total')).toBe(recoveredCount);
    expect(
      await metric(service.url, 'persona_webhook_reconcile_runs_total{result="ok"}'),
    ).toBeGreaterThanOrEqual(1);

    // One warning per recovered event, naming it and what to check, without payload data.
    const warnings = logLines(service.output().stdout).filter((l) => l['msg'] === RECOVERED_WARNING);
    expect(warnings.map((l) => l['eventId']).sort()).toEqual(
      events
        .filter((e) => e.source === 'api')
        .map((e) => e.id)
        .sort(),
    );
    expect(warnings[0]).toMatchObject({ level: 40, source: 'api' });
    const output = service.output().stdout + service.output().stderr;
    expect(output).not.toContain('offline-0'); // a reference id: payload data
    expect(output).not.toContain(emulator.apiKey);
    expect(output).not.toContain(webhook.secrets[0]!.value);
  });

  it('with a rejected API key keeps receiving webhooks and ready, backs off, and never logs the key', async () => {
    emulator = await startTestEmulator();
    const badKey = 'persona_sandbox_revoked_0123456789';
    service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'bad-key.sqlite')}`,
      PERSONA_API_URL: emulator.apiUrl,
      PERSONA_API_KEY: badKey,
      PERSONA_RECONCILE_INTERVAL_SECONDS: '0.5',
    });
    emulator.createWebhook({ url: `${service.url}/webhooks/persona`, enabledEvents: ['*'], secret: SECRET });
    const inquiry = emulator.state.createInquiry({ referenceId: 'still-served' });
    emulator.state.transitionInquiry(inquiry, 'approve');
    await eventually(async () => (await kycStatus(service!.url, 'still-served')) === 'approved').catch(
      explain,
    );
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // Doubling from 0.5 s: attempts at about 0, 0.5, 1.5, 3.5 s — not the 9 a fixed interval would make.
    const attempts = emulator.state.requests.filter((r) => r.status === 401);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(5);
    const gaps = attempts.slice(1).map((r, i) => r.atMs - attempts[i]!.atMs);
    for (let i = 1; i < gaps.length; i++) {
      const why = `gaps ${gaps.join(', ')} ms; log:\n${service.output().stdout.slice(-3000)}`;
      expect(gaps[i]!, why).toBeGreaterThan(gaps[i - 1]! * 1.5);
    }

    const status = await admin(service.url, '/api/reconcile');
    expect(status.json).toMatchObject({ enabled: true, lastRun: { result: 'failed' } });
    expect((status.json['lastRun'] as { error: string }).error).toMatch(
      /^Persona rejected PERSONA_API_KEY on GET \/events \(401/,
    );
    expect(status.json['failuresInARow']).toBe(attempts.length);
    expect(await metric(service.url, 'persona_webhook_reconcile_runs_total{result="failed"}')).toBe(
      attempts.length,
    );

    const failures = logLines(service.output().stdout).filter((l) =>
      String(l['msg']).startsWith('reconcile failed'),
    );
    expect(failures[0]).toMatchObject({
      level: 50,
      err: { type: 'PersonaApiAuthError', code: 'unauthorized', status: 401 },
    });
    expect(service.output().stdout + service.output().stderr).not.toContain(badKey);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });

  it('is off without an API key, and says why', async () => {
    service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'off.sqlite')}`,
    });
    const status = await admin(service.url, '/api/reconcile');
    expect(status.json).toMatchObject({
      enabled: false,
      offReason: 'PERSONA_API_KEY is not set',
      running: false,
      nextRunAt: null,
      recoveredTotal: 0,
    });
  });
});
