/**
 * A user's decision through the real service process, driven by the emulator as Persona would drive it:
 * signed deliveries of an approved inquiry, a continuously monitored watchlist report that matches, a
 * case a reviewer opens and resolves, and a later clean run of the report. The case and report events
 * carry no reference id: the service ties them to the user through the inquiry and account they name.
 * Lost deliveries of them come back through reconciliation, from the emulator's Events API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorControl, startTestEmulator } from '../helpers/emulator.js';
import { freePort } from '../helpers/free-port.js';
import { admin, eventually, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

interface Reason {
  code: string;
  fact: string;
  id: string;
  status: string | null;
  eventId: string;
}
interface Kyc {
  decision: string;
  reasons: Reason[];
}
interface Step {
  data: { id: string };
  events: Array<{ id: string; name: string }>;
}

const dir = mkdtempSync(join(tmpdir(), 'pw-kyc-decision-'));
let emulator: Emulator;
let service: ServiceProcess;

beforeAll(async () => {
  const port = await freePort();
  emulator = await startTestEmulator();
  const webhook = emulator.createWebhook({
    url: `http://127.0.0.1:${port}/webhooks/persona`,
    enabledEvents: ['*'],
  });
  service = await startServiceProcess({
    PORT: String(port),
    PERSONA_WEBHOOK_SECRET: webhook.secrets[0]!.value,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    // Reconciliation reads the emulator's Events API, where case and report events are too.
    PERSONA_API_URL: emulator.apiUrl,
    PERSONA_API_KEY: emulator.apiKey,
    PERSONA_RECONCILE_INTERVAL_SECONDS: '1',
    PERSONA_RECONCILE_MIN_AGE_SECONDS: '0',
  });
});

afterAll(async () => {
  await service?.stop();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Persona API call on the emulator, with its key. */
async function persona(path: string, body?: unknown) {
  const response = await fetch(`${emulator.apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as { data: { id: string } };
}

/** One of the emulator's own steps (`/_emulator/…`). */
async function step(path: string, body: unknown = {}): Promise<Step> {
  const response = await emulatorControl(emulator, `/_emulator${path}`, body);
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Step;
}

/** The user's decision once `done` holds for it (the worker applies each event a moment after ingest). */
async function decisionWhen(referenceId: string, done: (kyc: Kyc) => boolean): Promise<Kyc> {
  const read = async () => (await admin(service.url, `/api/kyc/${referenceId}`)).json as unknown as Kyc;
  return eventually(async () => {
    const kyc = await read();
    return done(kyc) ? kyc : null;
  }, 15_000).catch(read);
}

/** A user with an approved inquiry, and that inquiry's id. */
async function approvedUser(referenceId: string): Promise<string> {
  const inquiry = await persona('/inquiries', { data: { attributes: { 'reference-id': referenceId } } });
  await persona(`/inquiries/${inquiry.data.id}/approve`);
  const kyc = await decisionWhen(referenceId, (k) => k.decision === 'approved');
  expect(kyc).toMatchObject({
    decision: 'approved',
    reasons: [{ code: 'inquiry_approved', id: inquiry.data.id }],
  });
  return inquiry.data.id;
}

describe('the KYC decision, driven by the emulator', () => {
  it('approved → a monitored watchlist match: needs_review → a case opens: still needs_review → resolved Approved: approved', async () => {
    const inquiryId = await approvedUser('user-watch-1');

    const report = await step('/reports', { 'reference-id': 'user-watch-1', 'has-match': true });
    const matched = report.events.find((e) => e.name === 'report/watchlist.matched')!;
    expect(matched).toBeDefined();
    const flagged = await decisionWhen('user-watch-1', (k) => k.reasons[0]?.eventId === matched.id);
    expect(flagged.decision).toBe('needs_review');
    expect(flagged.reasons[0]).toMatchObject({
      code: 'watchlist_match',
      fact: 'report',
      id: report.data.id,
      eventId: matched.id,
    });
    expect(flagged.reasons.map((r) => r.code)).toEqual(['watchlist_match', 'inquiry_approved']);

    const opened = await step('/cases', { 'inquiry-id': inquiryId });
    const inReview = await decisionWhen('user-watch-1', (k) => k.reasons[0]?.code === 'case_open');
    expect(inReview.decision).toBe('needs_review');
    expect(inReview.reasons[0]).toMatchObject({
      code: 'case_open',
      fact: 'case',
      id: opened.data.id,
      eventId: opened.events[0]!.id,
    });
    expect(inReview.reasons.map((r) => r.code)).toContain('watchlist_match');

    const resolved = await step(`/cases/${opened.data.id}/resolve`, { resolution: 'Approved' });
    const cleared = await decisionWhen('user-watch-1', (k) => k.decision === 'approved');
    expect(cleared.decision).toBe('approved');
    expect(cleared.reasons[0]).toMatchObject({
      code: 'case_approved',
      fact: 'case',
      id: opened.data.id,
      status: 'approved',
      eventId: resolved.events[0]!.id,
    });
    expect(cleared.reasons.map((r) => r.code)).toEqual(['case_approved', 'inquiry_approved']);

    // Every step reached the service as a signed delivery it accepted.
    const attempts = emulator.state.attempts.filter(
      (a) => a.eventName.startsWith('case.') || a.eventName.startsWith('report/'),
    );
    expect(attempts.map((a) => a.status)).toEqual([200, 200, 200, 200]);
  });

  it('a later clean run of the monitored report clears the match without a case', async () => {
    await approvedUser('user-watch-2');
    const report = await step('/reports', { 'reference-id': 'user-watch-2', 'has-match': true });
    await decisionWhen('user-watch-2', (k) => k.decision === 'needs_review');

    const clean = await step(`/reports/${report.data.id}/run`, { 'has-match': false });
    expect(clean.events.map((e) => e.name)).toEqual(['report/watchlist.ready']);
    const kyc = await decisionWhen('user-watch-2', (k) => k.decision === 'approved');
    expect(kyc).toMatchObject({ decision: 'approved' });
    expect(kyc.reasons.map((r) => r.code)).toEqual(['inquiry_approved']);
  });

  it('a case resolved Declined declines the user', async () => {
    await approvedUser('user-watch-3');
    await step('/reports', { 'reference-id': 'user-watch-3', 'has-match': true });
    const opened = await step('/cases', { 'reference-id': 'user-watch-3' });
    await step(`/cases/${opened.data.id}/resolve`, { resolution: 'Declined' });
    const kyc = await decisionWhen('user-watch-3', (k) => k.decision === 'declined');
    expect(kyc.decision).toBe('declined');
    expect(kyc.reasons[0]).toMatchObject({ code: 'case_declined', id: opened.data.id });
  });

  it('a watchlist match whose deliveries were lost still arrives, through reconciliation', async () => {
    await approvedUser('user-watch-4');
    const faults = await emulatorControl(emulator, '/_emulator/faults', { 'drop-deliveries': 2 });
    expect(faults.status).toBe(200);
    const report = await step('/reports', { 'reference-id': 'user-watch-4', 'has-match': true });
    const matched = report.events.find((e) => e.name === 'report/watchlist.matched')!;
    const dropped = emulator.state.deliveries.filter((d) => report.events.some((e) => e.id === d.eventId));
    expect(dropped.map((d) => d.status)).toEqual(['failed', 'failed']);

    const kyc = await decisionWhen('user-watch-4', (k) => k.reasons[0]?.eventId === matched.id);
    expect(kyc.decision).toBe('needs_review');
    expect(kyc.reasons[0]).toMatchObject({ code: 'watchlist_match', eventId: matched.id });
    expect(service.output().stdout).toContain('received through reconciliation');
  });
});
