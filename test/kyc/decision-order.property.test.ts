/**
 * A user's decision must not depend on delivery or processing order: any permutation of their
 * inquiry, transaction, case, report and account events (a case over two users, a report reached only
 * through an inquiry's list among them) (with duplicates, processed in random batches, and with
 * several workers at once on PostgreSQL) must give the same facts and the same decision as a perfectly
 * ordered delivery, on SQLite and on PostgreSQL alike, and the stored decision must be the policy's
 * verdict on the stored facts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultKycPolicy } from '../../packages/persona-webhooks/src/kyc/default-policy.js';
import { type BuiltEvent, buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { objectEvent, toMany, toOne } from '../helpers/object-event.js';
import { openTestPostgresStore, postgresReachable } from '../helpers/postgres.js';
import { ingestBuilt, openTempStore } from '../worker/temp-store.js';

const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const USER = 'user-1';
const OTHER_USER = 'user-2';
const ACCOUNT = 'act_user1';

/** Every kind of event that can move the decision, tied to the user in the ways Persona ties them. */
const KINDS = [
  { name: 'inquiry.approved', inquiryId: 'inq_a' },
  { name: 'inquiry.declined', inquiryId: 'inq_a' },
  { name: 'inquiry.started', inquiryId: 'inq_b' },
  { name: 'inquiry.approved', inquiryId: 'inq_b' },
  { name: 'inquiry.marked-for-review', inquiryId: 'inq_b' },
  { name: 'case.created', caseId: 'case_1' },
  { name: 'case.resolved', caseId: 'case_1', resolution: 'Approved' },
  { name: 'case.resolved', caseId: 'case_1', resolution: 'Declined' },
  { name: 'case.reopened', caseId: 'case_1' },
  { name: 'report/watchlist.matched', reportId: 'rep_w' },
  { name: 'report/watchlist.ready', reportId: 'rep_w', hasMatch: false },
  // Allowlisted webhooks may drop relationships: these reach the user only through earlier events.
  { name: 'report/watchlist.ready', reportId: 'rep_w', hasMatch: false, bare: true },
  { name: 'case.resolved', caseId: 'case_1', resolution: 'Approved', bare: true },
  { name: 'report/politically-exposed-person.matched', reportId: 'rep_p' },
  { name: 'account.status-updated', accountStatus: 'Suspended' },
  { name: 'account.status-updated', accountStatus: 'Default' },
  { name: 'report/watchlist.errored', reportId: 'rep_w', hasMatch: false },
  // A second user, whose inquiry a case shares with the first one's.
  { name: 'inquiry.approved', inquiryId: 'inq_c', other: true },
] as const;

/**
 * Events the builder does not make, from their objects: a case over both users' inquiries (in either
 * order), a transaction of the first user, and a report reached only through inq_a's `reports` list.
 */
const OBJECT_KINDS: readonly ((eventId: string, createdAt: Date) => BuiltEvent)[] = [
  (id, at) => objectEvent('case.created', caseOver('inq_a', 'inq_c'), at, id),
  (id, at) => objectEvent('case.resolved', caseOver('inq_c', 'inq_a', 'Declined by Team 1', at), at, id),
  (id, at) => objectEvent('transaction.status-updated', transaction('approved'), at, id),
  (id, at) => objectEvent('transaction.status-updated', transaction('pending'), at, id),
  (id, at) => {
    const inquiry = JSON.parse(
      buildEvent({
        name: 'inquiry.started',
        inquiryId: 'inq_a',
        accountId: ACCOUNT,
        referenceId: USER,
        eventId: id,
        createdAt: at,
        inquiryCreatedAt: new Date(T0),
      }).body,
    );
    inquiry.data.attributes.payload.data.relationships.reports = toMany('report/custom-list', 'rep_l');
    return {
      eventId: id,
      name: 'inquiry.started',
      createdAt: at.toISOString(),
      body: JSON.stringify(inquiry),
    };
  },
  (id, at) =>
    objectEvent(
      'report/custom-list.matched',
      {
        type: 'report/custom-list',
        id: 'rep_l',
        attributes: { status: 'ready', 'has-match': true },
        relationships: {},
      },
      at,
      id,
    ),
];

function caseOver(first: string, second: string, status = 'Open', resolvedAt: Date | null = null) {
  return {
    type: 'case',
    id: 'case_m',
    attributes: { status, 'resolved-at': resolvedAt?.toISOString() ?? null },
    relationships: { inquiries: toMany('inquiry', first, second), accounts: toMany('account') },
  };
}

function transaction(status: string) {
  return {
    type: 'transaction',
    id: 'txn_1',
    attributes: { status, 'reference-id': USER, 'created-at': new Date(T0 + 7_000).toISOString() },
    relationships: { account: toOne('account', ACCOUNT) },
  };
}

const spec = fc.record({
  kind: fc.integer({ min: 0, max: KINDS.length + OBJECT_KINDS.length - 1 }),
  /** Some inquiry events arrive without the reference id: the account still ties them to the user. */
  withReference: fc.boolean(),
});

const scenario = fc
  .uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 12 })
  .chain((offsets) =>
    fc.record({
      offsets: fc.constant(offsets),
      specs: fc.array(spec, { minLength: offsets.length, maxLength: offsets.length }),
      order: fc.shuffledSubarray(
        offsets.map((_, i) => i),
        { minLength: offsets.length },
      ),
      duplicates: fc.array(fc.tuple(fc.integer({ min: 0, max: offsets.length - 1 }), fc.nat()), {
        maxLength: 4,
      }),
      drainAfter: fc.array(fc.boolean(), { minLength: offsets.length + 4, maxLength: offsets.length + 4 }),
    }),
  );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function buildAll({ offsets, specs }: Scenario): BuiltEvent[] {
  return offsets.map((offset, i) => {
    const { kind, withReference } = specs[i]!;
    const eventId = `evt_${String(i).padStart(4, '0')}`;
    const made = OBJECT_KINDS[kind - KINDS.length];
    if (made) return made(eventId, new Date(T0 + 10_000 + offset));
    const { name, bare, other, ...ids } = { bare: false, other: false, ...KINDS[kind]! };
    if (other) {
      return buildEvent({
        name,
        eventId,
        createdAt: new Date(T0 + 10_000 + offset),
        referenceId: OTHER_USER,
        accountId: 'act_user2',
        inquiryCreatedAt: new Date(T0 + 1_000),
        ...ids,
      });
    }
    const isInquiry = name.startsWith('inquiry.');
    return buildEvent({
      name,
      eventId,
      createdAt: new Date(T0 + 10_000 + offset),
      ...(bare ? {} : { accountId: ACCOUNT }),
      ...ids,
      // Inquiry inq_b is the newer one (a re-verification); each keeps its own created-at.
      ...(isInquiry
        ? { inquiryCreatedAt: new Date(T0 + ('inquiryId' in ids && ids.inquiryId === 'inq_b' ? 5_000 : 0)) }
        : {}),
      referenceId:
        isInquiry || name.startsWith('account.') ? (withReference || !isInquiry ? USER : null) : null,
    });
  });
}

/** Ingests in the given order; the worker processes wherever `drainAfter` says (two workers on PostgreSQL). */
async function deliver(store: Store, events: BuiltEvent[], drainAfter: boolean[], workers: number) {
  const running = Array.from({ length: workers }, () =>
    createWorker({ store, now: () => T0 + 5_000_000, batchSize: 2, concurrency: 2 }),
  );
  const drainAll = () => Promise.all(running.map((w) => w.drain()));
  for (const [i, event] of events.entries()) {
    await ingestBuilt(store, event, T0);
    if (drainAfter[i]) await drainAll();
  }
  await drainAll();
  await drainAll();
}

async function outcome(store: Store) {
  const facts = await store.getKycFacts(USER);
  const kyc = await store.getKyc(USER);
  const other = await store.getKyc(OTHER_USER);
  return {
    facts,
    decision: kyc ? { decision: kyc.decision, reasons: kyc.reasons } : null,
    other: { facts: await store.getKycFacts(OTHER_USER), decision: other?.decision ?? null },
    counts: await store.counts(),
  };
}

interface Opened {
  store: Store;
  dispose: () => Promise<void>;
}

async function check(open: () => Promise<Opened>, s: Scenario, workers: number) {
  const events = buildAll(s);
  const ordered = [...events].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  const shuffled = s.order.map((i) => events[i]!);
  for (const [i, position] of s.duplicates) shuffled.splice(position % (shuffled.length + 1), 0, events[i]!);
  const reference = await open();
  const subject = await open();
  try {
    await deliver(
      reference.store,
      ordered,
      ordered.map(() => true),
      1,
    );
    await deliver(subject.store, shuffled, s.drainAfter, workers);
    const [expected, actual] = [await outcome(reference.store), await outcome(subject.store)];
    expect(actual).toEqual(expected);
    expect(actual.counts).toEqual({ pending: 0, processing: 0, done: events.length, dead: 0 });
    // The stored decision is the policy's verdict on the stored facts, not a stale one.
    if (actual.decision) expect(actual.decision).toEqual(defaultKycPolicy(actual.facts));
    if (actual.other.decision)
      expect(actual.other.decision).toBe(defaultKycPolicy(actual.other.facts).decision);
    return actual;
  } finally {
    await reference.dispose();
    await subject.dispose();
  }
}

const openSqlite = async (): Promise<Opened> => openTempStore({ memory: true });

describe('KYC decision under any delivery order', () => {
  it('SQLite: every permutation gives the facts and decision of the ordered delivery', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => check(openSqlite, s, 1).then(() => undefined)),
      { numRuns: 60, endOnFailure: true },
    );
  });

  describe('PostgreSQL', () => {
    let reachable = false;
    beforeAll(async () => {
      reachable = await postgresReachable();
    });
    afterAll(() => {});

    const openPostgres = async (): Promise<Opened> => {
      const { store, cleanup } = await openTestPostgresStore();
      return { store, dispose: cleanup };
    };

    it("every permutation, with two workers at once, gives the ordered delivery's facts and decision, the same as SQLite", async (context) => {
      if (!reachable) context.skip();
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const onPostgres = await check(openPostgres, s, 2);
          const onSqlite = await check(openSqlite, s, 1);
          expect(onPostgres.facts).toEqual(onSqlite.facts);
          expect(onPostgres.decision).toEqual(onSqlite.decision);
        }),
        { numRuns: 30, endOnFailure: true },
      );
    }, 120_000);
  });
});
