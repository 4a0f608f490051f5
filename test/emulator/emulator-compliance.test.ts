/**
 * The emulator's model of today's Persona over its control routes: case templates with their own
 * statuses (an end status resolves the case, `resolved-at`), transactions with a reference id and a
 * status, screening and custom-list reports (on an inquiry's user or a transaction), and a reviewer's
 * dismissal of a match. Every event is read back as the receiver reads it (parseEvent + projectKyc): the
 * relationships are what tie a case or report to its user.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { projectKyc } from '../../packages/persona-webhooks/src/kyc/projection.js';
import type { ProjectionUpdate } from '../../packages/persona-webhooks/src/kyc/projection-update.js';
import { type Emulator, emulatorControl, startTestEmulator } from '../helpers/emulator.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

interface Step {
  data: {
    id: string;
    type: string;
    attributes: Record<string, unknown>;
    relationships: Record<string, { data: unknown }>;
  };
  events: Array<{ id: string; name: string }>;
}

async function control(path: string, body: unknown = {}) {
  const response = await emulatorControl(emulator!, `/_emulator${path}`, body);
  return { status: response.status, body: (await response.json()) as Step & { errors?: unknown[] } };
}

/** What the receiver makes of a recorded event: the projection's updates. */
function projected(eventId: string): ProjectionUpdate[] {
  const event = emulator!.state.getEvent(eventId);
  if (!event) throw new Error(`${eventId} was not recorded`);
  const parsed = parseEvent(JSON.stringify({ data: event.resource }));
  if (!parsed.ok) throw new Error(`${eventId} does not parse`);
  return projectKyc(parsed.event);
}

const linksOf = (updates: ProjectionUpdate[]) =>
  updates
    .find((update) => update.kind === 'links')
    ?.related.map((r) => `${r.kind}:${r.id}`)
    .sort();

describe('case templates', () => {
  it('moves a case through its template statuses: an end status sends status-updated then resolved, with resolved-at', async () => {
    emulator = await startTestEmulator();
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-case-1' });
    const screening = await control('/reports', {
      'reference-id': 'user-case-1',
      type: 'screening',
      'has-match': true,
    });
    const reportId = screening.body.data.id;

    // A case about the report: its user is the report's inquiry's.
    const opened = await control('/cases', { 'report-id': reportId });
    expect(opened.status).toBe(201);
    const caseId = opened.body.data.id;
    expect(opened.body.data).toMatchObject({
      attributes: { status: 'open', 'resolved-at': null },
      relationships: {
        inquiries: { data: [{ type: 'inquiry', id: inquiry.id }] },
        accounts: { data: [{ type: 'account', id: inquiry.accountId }] },
        reports: { data: [{ type: 'report/screening', id: reportId }] },
      },
    });
    expect(linksOf(projected(opened.body.events[0]!.id))).toEqual(
      [`account:${inquiry.accountId}`, `inquiry:${inquiry.id}`, `report:${reportId}`].sort(),
    );

    const pending = await control(`/cases/${caseId}/status`, { status: 'Pending' });
    expect(pending.body.events.map((e) => e.name)).toEqual(['case.status-updated']);
    expect(projected(pending.body.events[0]!.id)[0]).toMatchObject({
      kind: 'case',
      caseId,
      status: 'pending',
      resolvedAtMs: null,
    });

    const declined = await control(`/cases/${caseId}/status`, { status: 'Declined by Team 1' });
    expect(declined.status).toBe(200);
    expect(declined.body.events.map((e) => e.name)).toEqual(['case.status-updated', 'case.resolved']);
    expect(declined.body.data.attributes).toMatchObject({ status: 'Declined by Team 1', resolution: null });
    const resolvedAt = Date.parse(declined.body.data.attributes['resolved-at'] as string);
    expect(resolvedAt).toBeGreaterThan(0);
    for (const event of declined.body.events) {
      expect(projected(event.id)[0]).toMatchObject({
        kind: 'case',
        caseId,
        status: 'declined_by_team_1',
        resolvedAtMs: resolvedAt,
      });
    }

    // Back to an open status: resolved-at is cleared, the case is open again.
    const reopened = await control(`/cases/${caseId}/status`, { status: 'Open' });
    expect(reopened.body.data.attributes['resolved-at']).toBeNull();
    expect(projected(reopened.body.events[0]!.id)[0]).toMatchObject({ status: 'open', resolvedAtMs: null });
  });

  it("takes a template's own statuses, and refuses a status it does not have or the one it is in", async () => {
    emulator = await startTestEmulator();
    emulator.state.createInquiry({ referenceId: 'user-case-2' });
    const opened = await control('/cases', {
      'reference-id': 'user-case-2',
      statuses: ['New', 'Escalated'],
      'end-statuses': ['Approved', 'Rejected'],
    });
    const caseId = opened.body.data.id;
    expect(await control(`/cases/${caseId}/status`, { status: 'Accept' })).toMatchObject({
      status: 400,
      body: {
        errors: [
          {
            title: 'Bad Request',
            details: "status must be one of the case template's: New, Escalated, Approved, Rejected",
          },
        ],
      },
    });
    expect((await control(`/cases/${caseId}/status`, {})).status).toBe(400);
    const approved = await control(`/cases/${caseId}/status`, { status: 'Approved' });
    expect(approved.body.events.map((e) => e.name)).toEqual(['case.status-updated', 'case.resolved']);
    expect((await control(`/cases/${caseId}/status`, { status: 'Approved' })).status).toBe(409);
    // Resolved already: the classic resolve is refused too.
    expect((await control(`/cases/${caseId}/resolve`)).status).toBe(409);
    expect((await control('/cases', { 'reference-id': 'user-case-2', 'end-statuses': [] })).status).toBe(400);
    expect((await control('/cases', { 'report-id': 'rep_missing' })).status).toBe(404);
    expect((await control('/cases/case_missing/status', { status: 'Open' })).status).toBe(404);
  });
});

describe('cases over several users', () => {
  it("relates every user's inquiry and account, in the order given", async () => {
    emulator = await startTestEmulator();
    const owner = emulator.state.createInquiry({ referenceId: 'owner-1' });
    const other = emulator.state.createInquiry({ referenceId: 'owner-2' });
    const opened = await control('/cases', { 'reference-ids': ['owner-1', 'owner-2'] });
    expect(opened.status).toBe(201);
    expect(opened.body.data.relationships).toMatchObject({
      inquiries: {
        data: [
          { type: 'inquiry', id: owner.id },
          { type: 'inquiry', id: other.id },
        ],
      },
      accounts: {
        data: [
          { type: 'account', id: owner.accountId },
          { type: 'account', id: other.accountId },
        ],
      },
    });
    expect(linksOf(projected(opened.body.events[0]!.id))).toEqual(
      [
        `account:${owner.accountId}`,
        `account:${other.accountId}`,
        `inquiry:${owner.id}`,
        `inquiry:${other.id}`,
      ].sort(),
    );
    expect(await control('/cases', { 'reference-ids': ['owner-1', 'nobody'] })).toMatchObject({
      status: 404,
      body: { errors: [{ details: expect.stringContaining('No inquiry with reference-id nobody') }] },
    });
    expect((await control('/cases', { 'reference-ids': [] })).status).toBe(400);
    expect(emulator.state.cases.size).toBe(1);
  });
});

describe('transactions', () => {
  it('creates a transaction of a user, tied to their account and newest inquiry, and sets its status', async () => {
    emulator = await startTestEmulator();
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-txn-1' });
    const created = await control('/transactions', { 'reference-id': 'user-txn-1' });
    expect(created.status).toBe(201);
    const transactionId = created.body.data.id;
    expect(transactionId).toMatch(/^txn_/);
    expect(created.body.data).toMatchObject({
      type: 'transaction',
      attributes: { status: 'created', 'reference-id': 'user-txn-1' },
      relationships: {
        account: { data: { type: 'account', id: inquiry.accountId } },
        inquiries: { data: [{ type: 'inquiry', id: inquiry.id }] },
      },
    });
    expect(created.body.events.map((e) => e.name)).toEqual(['transaction.created']);
    const first = projected(created.body.events[0]!.id);
    expect(first[0]).toMatchObject({
      kind: 'transaction',
      transactionId,
      referenceId: 'user-txn-1',
      status: 'created',
    });
    expect(linksOf(first)).toEqual([`account:${inquiry.accountId}`, `inquiry:${inquiry.id}`].sort());

    const updated = await control(`/transactions/${transactionId}/status`, { status: 'needs_review' });
    expect(updated.status).toBe(200);
    expect(updated.body.events.map((e) => e.name)).toEqual(['transaction.status-updated']);
    expect(projected(updated.body.events[0]!.id)[0]).toMatchObject({
      kind: 'transaction',
      transactionId,
      referenceId: 'user-txn-1',
      status: 'needs_review',
    });

    expect((await control('/transactions', {})).status).toBe(400);
    expect((await control('/transactions/txn_missing/status', { status: 'approved' })).status).toBe(404);
    expect((await control(`/transactions/${transactionId}/status`, {})).status).toBe(400);
  });

  it("runs a screening report on a transaction: the report relates to it, the transaction's user and account", async () => {
    emulator = await startTestEmulator();
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-txn-2' });
    const transactionId = (await control('/transactions', { 'reference-id': 'user-txn-2' })).body.data.id;
    const report = await control('/reports', {
      'transaction-id': transactionId,
      type: 'screening',
      'has-match': true,
    });
    expect(report.status).toBe(201);
    expect(report.body.events.map((e) => e.name)).toEqual([
      'report/screening.ready',
      'report/screening.matched',
    ]);
    expect(report.body.data.relationships['transaction']).toEqual({
      data: { type: 'transaction', id: transactionId },
    });
    const matched = projected(report.body.events[1]!.id);
    expect(matched[0]).toMatchObject({
      kind: 'report',
      reportType: 'screening',
      matched: true,
      inquiryId: inquiry.id,
    });
    expect(linksOf(matched)).toEqual(
      [`account:${inquiry.accountId}`, `inquiry:${inquiry.id}`, `transaction:${transactionId}`].sort(),
    );
    expect((await control('/reports', { 'transaction-id': 'txn_missing' })).status).toBe(404);
  });
  it('runs a report on a transaction of a user who has no inquiry: it relates to the transaction and its account only', async () => {
    emulator = await startTestEmulator();
    const transaction = (
      await control('/transactions', { 'reference-id': 'user-txn-only', status: 'approved' })
    ).body.data;
    expect(transaction.relationships['inquiries']).toEqual({ data: [] });
    const report = await control('/reports', {
      'transaction-id': transaction.id,
      type: 'watchlist',
      'has-match': true,
    });
    expect(report.status).toBe(201);
    expect(report.body.data.relationships['inquiry']).toEqual({ data: null });
    const accountId = (transaction.relationships['account'] as { data: { id: string } }).data.id;
    expect(linksOf(projected(report.body.events[1]!.id))).toEqual(
      [`account:${accountId}`, `transaction:${transaction.id}`].sort(),
    );
    // A case about that report reaches the same user the same way.
    const kase = await control('/cases', { 'report-id': report.body.data.id });
    expect(kase.body.data.relationships['inquiries']).toEqual({ data: [] });
    expect(linksOf(projected(kase.body.events[0]!.id))).toEqual(
      [`account:${accountId}`, `report:${report.body.data.id}`, `transaction:${transaction.id}`].sort(),
    );
  });
});

describe('report dismissal', () => {
  it('dismisses a custom-list match: report/custom-list.dismissed with has-match false clears it', async () => {
    emulator = await startTestEmulator();
    emulator.state.createInquiry({ referenceId: 'user-list-1' });
    const report = await control('/reports', {
      'reference-id': 'user-list-1',
      type: 'custom-list',
      'has-match': true,
    });
    expect(report.body.events.map((e) => e.name)).toEqual([
      'report/custom-list.ready',
      'report/custom-list.matched',
    ]);
    const dismissed = await control(`/reports/${report.body.data.id}/dismiss`);
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.events.map((e) => e.name)).toEqual(['report/custom-list.dismissed']);
    expect(dismissed.body.data.attributes['has-match']).toBe(false);
    expect(projected(dismissed.body.events[0]!.id)[0]).toMatchObject({
      kind: 'report',
      reportType: 'custom-list',
      hasMatch: false,
      matched: false,
      cleared: true,
    });
    expect(await control(`/reports/${report.body.data.id}/dismiss`)).toMatchObject({
      status: 409,
      body: { errors: [{ title: 'Conflict', details: expect.stringContaining('has no match to dismiss') }] },
    });
  });

  it('refuses to dismiss a screening match, which Persona clears by a clean run, saying so', async () => {
    emulator = await startTestEmulator();
    emulator.state.createInquiry({ referenceId: 'user-screen-1' });
    const report = await control('/reports', {
      'reference-id': 'user-screen-1',
      type: 'screening',
      'has-match': true,
    });
    const refused = await control(`/reports/${report.body.data.id}/dismiss`);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain('Persona sends no report/screening.dismissed');
    const clean = await control(`/reports/${report.body.data.id}/run`, { 'has-match': false });
    expect(projected(clean.body.events[0]!.id)[0]).toMatchObject({ kind: 'report', cleared: true });
    expect((await control('/reports/rep_missing/dismiss')).status).toBe(404);
  });
});

describe('recorded events', () => {
  it('records transaction, case and report events with the transaction, report and resolved-at given', async () => {
    emulator = await startTestEmulator();
    const transaction = await control('/events', {
      name: 'transaction.status-updated',
      'transaction-id': 'txn_given',
      'reference-id': 'user-given',
      status: 'declined',
    });
    expect(transaction.status).toBe(201);
    const payload = (step: { body: unknown }) =>
      (step.body as { data: { attributes: { payload: { data: Record<string, unknown> } } } }).data.attributes
        .payload.data;
    expect(payload(transaction)).toMatchObject({
      type: 'transaction',
      id: 'txn_given',
      attributes: { status: 'declined', 'reference-id': 'user-given' },
    });
    const kase = await control('/events', {
      name: 'case.status-updated',
      'case-id': 'case_given',
      'transaction-id': 'txn_given',
      status: 'Accept',
      'resolved-at': '2026-01-02T03:04:05.000Z',
    });
    expect(payload(kase)).toMatchObject({
      attributes: { status: 'Accept', 'resolved-at': '2026-01-02T03:04:05.000Z' },
      relationships: { transactions: { data: [{ type: 'transaction', id: 'txn_given' }] } },
    });
    const report = await control('/events', {
      name: 'report/watchlist.dismissed',
      'report-id': 'rep_given',
      'transaction-id': 'txn_given',
    });
    expect(payload(report)).toMatchObject({
      attributes: { 'has-match': false },
      relationships: { transaction: { data: { type: 'transaction', id: 'txn_given' } } },
    });
  });
});
