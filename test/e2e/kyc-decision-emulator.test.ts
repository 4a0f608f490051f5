/**
 * A user's decision through the real service process, driven by the emulator as Persona would drive it:
 * signed deliveries of an approved inquiry, a continuously monitored watchlist report that matches, a
 * case a reviewer opens and resolves, and a later clean run of the report; a screening match and a case
 * about it moved through its template's statuses (`Declined by Team 1`, `Accept`); a custom-list match
 * dismissed; a transaction's status and a screening match on the transaction. The case and report events
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

  it('a screening match after approval, a case about it reaching the template\'s end status "Declined by Team 1": declined, and a later approval does not undo it', async () => {
    await approvedUser('user-screen-1');
    const report = await step('/reports', {
      'reference-id': 'user-screen-1',
      type: 'screening',
      'has-match': true,
    });
    const matched = report.events.find((e) => e.name === 'report/screening.matched')!;
    const held = await decisionWhen('user-screen-1', (k) => k.reasons[0]?.eventId === matched.id);
    expect(held.decision).toBe('needs_review');
    expect(held.reasons[0]).toMatchObject({ code: 'screening_match', fact: 'report', id: report.data.id });
    // The reason names the report type and the setting that would make it informational.
    expect((held.reasons[0] as Reason & { message: string }).message).toContain(
      'add "screening" to informationalReportTypes',
    );

    // The case names no inquiry or user of its own here beyond the report's: Persona's case about a report.
    const opened = await step('/cases', { 'report-id': report.data.id });
    await decisionWhen('user-screen-1', (k) => k.reasons[0]?.code === 'case_open');
    const pending = await step(`/cases/${opened.data.id}/status`, { status: 'Pending' });
    expect(pending.events.map((e) => e.name)).toEqual(['case.status-updated']);
    const stillHeld = await decisionWhen(
      'user-screen-1',
      (k) => k.reasons[0]?.eventId === pending.events[0]!.id,
    );
    expect(stillHeld.decision).toBe('needs_review');

    const declined = await step(`/cases/${opened.data.id}/status`, { status: 'Declined by Team 1' });
    expect(declined.events.map((e) => e.name)).toEqual(['case.status-updated', 'case.resolved']);
    const kyc = await decisionWhen('user-screen-1', (k) => k.decision === 'declined');
    expect(kyc.reasons[0]).toMatchObject({ code: 'case_declined', fact: 'case', id: opened.data.id });

    // A new automated approval: the reviewer's decline stands.
    const again = await persona('/inquiries', { data: { attributes: { 'reference-id': 'user-screen-1' } } });
    const approval = await persona(`/inquiries/${again.data.id}/approve`);
    expect(approval.data.id).toBe(again.data.id);
    const after = await decisionWhen('user-screen-1', (k) => k.reasons.some((r) => r.id === again.data.id));
    expect(after.decision).toBe('declined');
    expect(after.reasons[0]).toMatchObject({ code: 'case_declined' });
  });

  it('a case about a screening match reaching the end status "Accept" clears the match: approved', async () => {
    await approvedUser('user-screen-2');
    const report = await step('/reports', {
      'reference-id': 'user-screen-2',
      type: 'screening',
      'has-match': true,
    });
    await decisionWhen('user-screen-2', (k) => k.decision === 'needs_review');
    const opened = await step('/cases', { 'report-id': report.data.id });
    await step(`/cases/${opened.data.id}/status`, { status: 'Accept' });
    const kyc = await decisionWhen('user-screen-2', (k) => k.decision === 'approved');
    expect(kyc.reasons[0]).toMatchObject({ code: 'case_approved', id: opened.data.id });
  });

  it('a custom-list match holds the user until a reviewer dismisses it', async () => {
    await approvedUser('user-list-1');
    const report = await step('/reports', {
      'reference-id': 'user-list-1',
      type: 'custom-list',
      'has-match': true,
    });
    const held = await decisionWhen('user-list-1', (k) => k.decision === 'needs_review');
    expect(held.reasons[0]).toMatchObject({ code: 'custom_list_match', id: report.data.id });
    const dismissed = await step(`/reports/${report.data.id}/dismiss`);
    expect(dismissed.events.map((e) => e.name)).toEqual(['report/custom-list.dismissed']);
    const kyc = await decisionWhen('user-list-1', (k) => k.decision === 'approved');
    expect(kyc.reasons.map((r) => r.code)).toEqual(['inquiry_approved']);
  });

  it("a transaction's status decides beside the inquiry, and a screening match on the transaction holds its user", async () => {
    await approvedUser('user-txn-1');
    const transaction = await step('/transactions', { 'reference-id': 'user-txn-1' });
    const review = await step(`/transactions/${transaction.data.id}/status`, { status: 'needs_review' });
    const held = await decisionWhen('user-txn-1', (k) => k.reasons[0]?.eventId === review.events[0]!.id);
    expect(held.decision).toBe('needs_review');
    expect(held.reasons[0]).toMatchObject({ fact: 'transaction', id: transaction.data.id });

    await step(`/transactions/${transaction.data.id}/status`, { status: 'approved' });
    await decisionWhen('user-txn-1', (k) => k.decision === 'approved');

    const report = await step('/reports', {
      'transaction-id': transaction.data.id,
      type: 'screening',
      'has-match': true,
    });
    const kyc = await decisionWhen('user-txn-1', (k) => k.decision === 'needs_review');
    expect(kyc.reasons[0]).toMatchObject({ code: 'screening_match', id: report.data.id });
  });

  it('a case over two users declined at its end status declines both, whichever is listed first', async () => {
    await approvedUser('owner-a');
    await approvedUser('owner-b');
    const opened = await step('/cases', { 'reference-ids': ['owner-a', 'owner-b'] });
    const declined = await step(`/cases/${opened.data.id}/status`, { status: 'Declined by Team 1' });
    for (const referenceId of ['owner-a', 'owner-b']) {
      const kyc = await decisionWhen(referenceId, (k) => k.decision === 'declined');
      expect(kyc.reasons[0], referenceId).toMatchObject({
        code: 'case_declined',
        id: opened.data.id,
        eventId: expect.toSatisfy((id: string) => declined.events.some((e) => e.id === id)),
      });
    }
  });
});
