/**
 * One test per rule of the default policy, each built from Persona's documented object samples
 * (`test/fixtures/persona-objects/`, sources in its README) wrapped in event envelopes, ingested and
 * processed by a real store: the facts reach the user through the relationships Persona documents, and
 * whatever the policy cannot read holds the user for review with a reason naming the setting.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { KycPolicy } from '../../packages/persona-webhooks/src/kyc/decision.js';
import { createKycPolicy } from '../../packages/persona-webhooks/src/kyc/default-policy.js';
import { type BuiltEvent, buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { ingestBuilt } from '../worker/temp-store.js';

type JsonObject = {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, unknown>;
};

const sample = (name: string): JsonObject =>
  JSON.parse(readFileSync(new URL(`../fixtures/persona-objects/${name}`, import.meta.url), 'utf8'));
const CASE = sample('case.docs-sample.json');
const REPORT = sample('report-watchlist.docs-sample.json');
const ACCOUNT = sample('account.docs-shape.json');
const TRANSACTION = sample('transaction.docs-shape.json');

const USER = 'user-sample';
const ACCOUNT_ID = ACCOUNT.id;
const T0 = Date.parse('2024-06-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
let sequence = 0;

/** A sample object, changed only where the rule under test needs it, inside a webhook envelope. */
function event(
  name: string,
  base: JsonObject,
  minutes: number,
  change: { attributes?: Record<string, unknown>; relationships?: Record<string, unknown>; id?: string } = {},
): BuiltEvent {
  const object = {
    ...base,
    id: change.id ?? base.id,
    attributes: { ...base.attributes, ...change.attributes },
    relationships: { ...base.relationships, ...change.relationships },
  };
  const eventId = `evt_rule${String(++sequence).padStart(6, '0')}`;
  const createdAt = at(minutes).toISOString();
  const body = JSON.stringify({
    data: {
      type: 'event',
      id: eventId,
      attributes: { name, 'created-at': createdAt, payload: { data: object } },
    },
  });
  return { eventId, name, createdAt, body };
}

const many = (type: string, ...ids: string[]) => ({ data: ids.map((id) => ({ type, id })) });
const one = (type: string, id: string) => ({ data: { type, id } });

/** The user's approved inquiry on their account, at minute 1 unless told. */
function approvedInquiry(minutes = 1, inquiryId = 'inq_user_sample', referenceId = USER): BuiltEvent {
  return buildEvent({
    name: 'inquiry.approved',
    inquiryId,
    referenceId,
    accountId: ACCOUNT_ID,
    createdAt: at(minutes),
    inquiryCreatedAt: at(minutes),
  });
}

let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

/** Ingests and processes every event, then the user's decision and reasons (codes). */
async function decide(events: BuiltEvent[], policy?: KycPolicy, user = USER) {
  store = createSqliteFileStore(':memory:', policy ? { kycPolicy: policy } : {});
  await store.migrate();
  for (const built of events) await ingestBuilt(store, built, T0);
  await createWorker({ store, now: () => T0 + 10_000_000 }).drain();
  const kyc = await store.getKyc(user);
  return {
    decision: kyc?.decision,
    reasons: kyc?.reasons ?? [],
    codes: kyc?.reasons.map((r) => r.code) ?? [],
  };
}

const matched = (minutes: number, change: Parameters<typeof event>[3] = {}) =>
  event('report/watchlist.matched', REPORT, minutes, {
    ...change,
    attributes: { 'has-match': true, 'is-continuous': true, ...change.attributes },
  });

describe('facts reach the user through every documented link', () => {
  it("a report linked only through the user's account (the sample's `account` relationship)", async () => {
    const result = await decide([approvedInquiry(), matched(5)]);
    expect(result.decision).toBe('needs_review');
    expect(result.reasons[0]).toMatchObject({ code: 'watchlist_match', id: REPORT.id });
  });

  it("a report linked only through the inquiry's `reports` list", async () => {
    const inquiry = JSON.parse(approvedInquiry().body);
    inquiry.data.attributes.payload.data.relationships.reports = many('report/watchlist', REPORT.id);
    const withList: BuiltEvent = { ...approvedInquiry(), body: JSON.stringify(inquiry) };
    const bare = matched(5, { relationships: { account: {}, inquiry: {} } });
    for (const order of [
      [withList, bare],
      [bare, withList],
    ]) {
      expect((await decide(order)).codes[0]).toBe('watchlist_match');
      await store?.close();
      store = null;
    }
  });

  it('a case reaching the user only through its reports', async () => {
    // The sample case names another inquiry and a report; that report is the user's through the account.
    const reportOnAccount = event('report/watchlist.ready', REPORT, 2, {
      id: 'rep_PN3xspEwWCWWRp1eGpedaSNj',
    });
    const opened = event('case.created', CASE, 3);
    const result = await decide([approvedInquiry(), opened, reportOnAccount]);
    expect(result.decision).toBe('needs_review');
    expect(result.reasons[0]).toMatchObject({ code: 'case_open', id: CASE.id, status: 'open' });
  });

  it('a case over several users holds each of them, whatever order Persona lists them in', async () => {
    const first = approvedInquiry(1, 'inq_first', 'user-first');
    const second = approvedInquiry(1, 'inq_second', 'user-second');
    for (const ids of [
      ['inq_first', 'inq_second'],
      ['inq_second', 'inq_first'],
    ]) {
      const opened = event('case.created', CASE, 3, {
        relationships: { inquiries: many('inquiry', ...ids) },
      });
      for (const user of ['user-first', 'user-second']) {
        expect((await decide([first, second, opened], undefined, user)).codes[0]).toBe('case_open');
        await store?.close();
        store = null;
      }
    }
  });

  it('a transaction reaches the user by its reference id, and its inquiries through it', async () => {
    const inquiryOfTransaction = buildEvent({
      name: 'inquiry.marked-for-review',
      inquiryId: 'inq_of_txn',
      referenceId: null,
      accountId: 'act_other',
      createdAt: at(6),
      inquiryCreatedAt: at(6),
    });
    const transaction = event('transaction.status-updated', TRANSACTION, 5, {
      attributes: { status: 'approved' },
      relationships: { inquiries: many('inquiry', 'inq_of_txn') },
    });
    const result = await decide([transaction, inquiryOfTransaction]);
    expect(result.decision).toBe('needs_review');
    expect(result.codes).toEqual(['inquiry_needs_review', 'transaction_approved']);
  });

  it('a reference id on a case is not Persona’s and ties it to nobody', async () => {
    const foreign = event('case.created', CASE, 3, {
      attributes: { 'reference-id': USER },
      relationships: { inquiries: many('inquiry', 'inq_someone_else'), reports: many('report/watchlist') },
    });
    expect((await decide([approvedInquiry(), foreign])).decision).toBe('approved');
  });

  it('a body spelling the reference id twice is read by one rule: the first spelling present', async () => {
    const built = approvedInquiry();
    const body = JSON.parse(built.body);
    const attributes = body.data.attributes.payload.data.attributes;
    body.data.attributes.payload.data.attributes = { referenceId: 'user-camel', ...attributes };
    const twice: BuiltEvent = { ...built, body: JSON.stringify(body) };
    expect((await decide([twice], undefined, USER)).decision).toBe('approved');
    expect(await store?.getKyc('user-camel')).toBeNull();
    expect((await store?.listEvents({ referenceId: USER }))?.events.map((e) => e.id)).toEqual([
      built.eventId,
    ]);
  });
});

describe('screening matches fail closed', () => {
  it.each([
    ['an errored run', 'report/watchlist.errored', { status: 'errored', 'has-match': false }],
    ['a run that does not say', 'report/watchlist.ready', { status: 'ready', 'has-match': null }],
    ['a pending run', 'report/watchlist.ready', { status: 'pending', 'has-match': false }],
  ])('%s does not clear a standing match', async (_, name, attributes) => {
    const later = event(name, REPORT, 9, { attributes });
    expect((await decide([approvedInquiry(), matched(5), later])).codes[0]).toBe('watchlist_match');
  });

  it.each([
    ['a completed run without a match', 'report/watchlist.ready', { status: 'ready', 'has-match': false }],
    ['a dismissal', 'report/watchlist.dismissed', {}],
  ])('%s clears it', async (_, name, attributes) => {
    const later = event(name, REPORT, 9, { attributes });
    expect((await decide([approvedInquiry(), matched(5), later])).decision).toBe('approved');
  });

  it('an inquiry approval newer than the match does not clear it; a case resolved after it does', async () => {
    expect((await decide([matched(5), approvedInquiry(7)])).codes[0]).toBe('watchlist_match');
    await store?.close();
    store = null;
    const resolved = event('case.resolved', CASE, 8, {
      attributes: { status: 'Approved', 'resolved-at': at(8).toISOString() },
      relationships: { accounts: many('account', ACCOUNT_ID) },
    });
    expect((await decide([matched(5), approvedInquiry(7), resolved])).decision).toBe('approved');
  });

  it('a match on a report type outside any list holds the user; declared informational, it does not', async () => {
    const screening = event('report/screening.matched', { ...REPORT, type: 'report/screening' }, 5, {
      id: 'rep_screening',
      attributes: { 'has-match': true },
    });
    const held = await decide([approvedInquiry(), screening]);
    expect(held.reasons[0]).toMatchObject({ code: 'screening_match', setting: 'informationalReportTypes' });
    await store?.close();
    store = null;
    const policy = createKycPolicy({ informationalReportTypes: ['screening'] });
    expect((await decide([approvedInquiry(), screening], policy)).decision).toBe('approved');
  });
});

describe('accounts', () => {
  it.each(['Needs Review', 'Pending review', 'High-risk', 'Deactivated'])(
    'a documented account status (%s) holds the user',
    async (status) => {
      const update = event('account.status-updated', ACCOUNT, 5, {
        attributes: { 'account-status': status },
      });
      const result = await decide([approvedInquiry(), update]);
      expect(result.decision).toBe('needs_review');
      expect(result.reasons[0]).toMatchObject({ code: 'account_status', setting: 'accountStatuses' });
    },
  );

  it('an account status the policy cannot read holds the user, naming the setting; mapped, it is clear', async () => {
    const update = event('account.status-updated', ACCOUNT, 5, {
      attributes: { 'account-status': 'Gold tier' },
    });
    const held = await decide([approvedInquiry(), update]);
    expect(held.reasons[0]).toMatchObject({ code: 'account_status_unmapped', status: 'gold_tier' });
    expect(held.reasons[0]?.message).toContain('accountStatuses');
    await store?.close();
    store = null;
    const policy = createKycPolicy({ accountStatuses: { 'Gold tier': 'clear' } });
    expect((await decide([approvedInquiry(), update], policy)).decision).toBe('approved');
  });
});

describe('cases as Persona models them today', () => {
  const onAccount = {
    accounts: many('account', ACCOUNT_ID),
    inquiries: many('inquiry'),
    reports: many('report/watchlist'),
  };
  const caseEvent = (status: string, resolved: boolean, extra: Record<string, unknown> = {}) =>
    event(resolved ? 'case.resolved' : 'case.status-updated', CASE, 5, {
      attributes: { status, 'resolved-at': resolved ? at(5).toISOString() : null, ...extra },
      relationships: onAccount,
    });

  it.each([
    ['Accept', true, 'approved', 'case_approved'],
    ['Approved', true, 'approved', 'case_approved'],
    ['Declined by Team 1', true, 'declined', 'case_declined'],
    ['Decline', false, 'declined', 'case_declined'],
    ['Pending', false, 'needs_review', 'case_open'],
    ['Open', false, 'needs_review', 'case_open'],
  ])('template status %s (resolved-at set: %s) gives %s', async (status, resolved, decision, code) => {
    const result = await decide([approvedInquiry(), caseEvent(status, resolved)]);
    expect(result.decision).toBe(decision);
    expect(result.codes[0]).toBe(code);
  });

  it('an end status the policy cannot read is not an open case forever: it holds, naming caseStatuses', async () => {
    const result = await decide([approvedInquiry(), caseEvent('Escalated to legal', true)]);
    expect(result.reasons[0]).toMatchObject({ code: 'case_resolution_unmapped', setting: 'caseStatuses' });
    await store?.close();
    store = null;
    const unread = await decide([approvedInquiry(), caseEvent('Second look', false)]);
    expect(unread.reasons[0]).toMatchObject({ code: 'case_status_unmapped', setting: 'caseStatuses' });
    await store?.close();
    store = null;
    const policy = createKycPolicy({ caseStatuses: { 'Escalated to legal': 'declined' } });
    expect((await decide([approvedInquiry(), caseEvent('Escalated to legal', true)], policy)).decision).toBe(
      'declined',
    );
  });

  it("a reviewer's decline is not undone by the user's next automated approval", async () => {
    const result = await decide([
      approvedInquiry(1),
      caseEvent('Declined by Team 1', true),
      approvedInquiry(9, 'inq_new'),
    ]);
    expect(result.decision).toBe('declined');
    expect(result.reasons[0]).toMatchObject({
      code: 'case_declined',
      setting: 'laterApprovalOverridesCaseDecline',
    });
  });
});

describe('inquiries and transactions', () => {
  it('an inquiry marked for review is needs_review, whatever status its payload spells', async () => {
    const review = buildEvent({
      name: 'inquiry.marked-for-review',
      inquiryId: 'inq_review',
      referenceId: USER,
      status: 'completed',
      createdAt: at(1),
    });
    expect((await decide([review])).codes).toEqual(['inquiry_needs_review']);
  });

  it('transactions: newest decided holds, a newer one in progress is a re-verification, an unmapped one holds', async () => {
    const txn = (id: string, status: string, minutes: number) =>
      event('transaction.status-updated', TRANSACTION, minutes, {
        id,
        attributes: { status, 'created-at': at(minutes).toISOString() },
      });
    const progress = await decide([txn('txn_1', 'approved', 1), txn('txn_2', 'pending', 5)]);
    expect(progress).toMatchObject({
      decision: 'approved',
      codes: ['transaction_approved', 'reverification_in_progress'],
    });
    await store?.close();
    store = null;
    const custom = await decide([txn('txn_1', 'approved', 1), txn('txn_2', 'Cleared by ops', 5)]);
    expect(custom.reasons[0]).toMatchObject({
      code: 'transaction_status_unmapped',
      setting: 'transactionStatuses',
    });
    await store?.close();
    store = null;
    const policy = createKycPolicy({ transactionStatuses: { 'Cleared by ops': 'approved' } });
    expect(
      (await decide([txn('txn_1', 'declined', 1), txn('txn_2', 'Cleared by ops', 5)], policy)).decision,
    ).toBe('approved');
  });
});
