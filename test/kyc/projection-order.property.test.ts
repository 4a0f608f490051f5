/**
 * The KYC state must not depend on delivery or processing order: Persona guarantees neither, and
 * duplicates happen. Every permutation (with duplicates, processed in random batches) must end in the
 * state a perfectly ordered delivery would produce.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseInquiryStatus } from '../../packages/persona-webhooks/src/kyc/status.js';
import { type BuiltEvent, buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type {
  InquiryView,
  KycView,
} from '../../packages/persona-webhooks/src/store/read-model/read-model.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt, openTempStore } from '../worker/temp-store.js';

const T0 = Date.parse('2024-01-01T00:00:00.000Z');
const INQUIRIES = [
  { inquiryId: 'inq_a', referenceId: 'user-1', accountId: 'act_1', createdAtMs: T0 },
  { inquiryId: 'inq_b', referenceId: 'user-1', accountId: 'act_1', createdAtMs: T0 + 1_000 },
  { inquiryId: 'inq_c', referenceId: 'user-2', accountId: 'act_2', createdAtMs: T0 + 2_000 },
] as const;
const ACTIONS = [
  'created',
  'started',
  'completed',
  'approved',
  'declined',
  'marked-for-review',
  'expired',
  'transitioned',
];
const STATUSES = [
  'created',
  'pending',
  'completed',
  'approved',
  'declined',
  'needs_review',
  'needs review',
  'expired',
  'failed',
];

const eventSpec = fc.record({
  inquiry: fc.integer({ min: 0, max: INQUIRIES.length - 1 }),
  action: fc.constantFrom(...ACTIONS),
  status: fc.constantFrom(...STATUSES),
  /** Some events arrive without the reference id; a known one must never be cleared by them. */
  withReference: fc.boolean(),
});

type EventSpec = typeof eventSpec extends fc.Arbitrary<infer T> ? T : never;

/** Distinct created-at offsets, so "newest wins" has exactly one answer. */
const scenario = fc
  .uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 10 })
  .chain((offsets) =>
    fc.record({
      offsets: fc.constant(offsets),
      specs: fc.array(eventSpec, { minLength: offsets.length, maxLength: offsets.length }),
      order: fc.shuffledSubarray(
        offsets.map((_, i) => i),
        { minLength: offsets.length },
      ),
      /** Re-deliveries: which event, and where in the delivery sequence it lands. */
      duplicates: fc.array(fc.tuple(fc.integer({ min: 0, max: offsets.length - 1 }), fc.nat()), {
        maxLength: 5,
      }),
      drainAfter: fc.array(fc.boolean(), { minLength: offsets.length + 5, maxLength: offsets.length + 5 }),
    }),
  );

function buildAll(offsets: number[], specs: EventSpec[]): BuiltEvent[] {
  return offsets.map((offset, i) => {
    const spec = specs[i]!;
    const inquiry = INQUIRIES[spec.inquiry]!;
    return buildEvent({
      name: `inquiry.${spec.action}`,
      eventId: `evt_${String(i).padStart(4, '0')}`,
      createdAt: new Date(T0 + 10_000 + offset),
      inquiryId: inquiry.inquiryId,
      referenceId: spec.withReference ? inquiry.referenceId : null,
      accountId: inquiry.accountId,
      status: spec.status,
      inquiryCreatedAt: new Date(inquiry.createdAtMs),
    });
  });
}

/** The model: each inquiry's status is the one carried by its newest event. */
function newestPerInquiry(offsets: number[], specs: EventSpec[]) {
  return INQUIRIES.map((_, inquiry) => {
    let newest: { status: string | null; statusAtMs: number } | null = null;
    for (const [i, offset] of offsets.entries()) {
      const statusAtMs = T0 + 10_000 + offset;
      if (specs[i]!.inquiry === inquiry && (!newest || statusAtMs > newest.statusAtMs)) {
        // A review is `needs_review` whatever the payload's status says (projection.ts).
        const status =
          specs[i]!.action === 'marked-for-review'
            ? 'needs_review'
            : normaliseInquiryStatus(specs[i]!.status);
        newest = { status, statusAtMs };
      }
    }
    return newest;
  });
}

/** Ingests in the given order, letting the worker process a batch wherever `drainAfter` says so. */
async function deliver(store: Store, events: BuiltEvent[], drainAfter: boolean[]): Promise<void> {
  const worker = createWorker({ store, now: () => T0 + 5_000_000, batchSize: 3 });
  for (const [i, event] of events.entries()) {
    await ingestBuilt(store, event, T0);
    if (drainAfter[i]) await worker.drain();
  }
  await worker.drain();
}

/** Everything but bookkeeping times, which say when a row was written, not what it says. */
function stripUpdated<T extends { updatedAtMs: number | null }>(
  view: T | null,
): Omit<T, 'updatedAtMs'> | null {
  if (!view) return null;
  const { updatedAtMs: _, ...rest } = view;
  return rest;
}

async function snapshot(store: Store) {
  const inquiries: Array<Omit<InquiryView, 'updatedAtMs'> | null> = [];
  for (const { inquiryId } of INQUIRIES) inquiries.push(stripUpdated(await store.getInquiry(inquiryId)));
  const users: unknown[] = [];
  for (const referenceId of ['user-1', 'user-2']) {
    const kyc = stripUpdated<KycView>(await store.getKyc(referenceId));
    users.push(kyc && { ...kyc, inquiries: kyc.inquiries.map((view) => stripUpdated(view)) });
  }
  return { inquiries, users, counts: await store.counts() };
}

describe('KYC projection under any delivery order', () => {
  it('ends in the created-at-ordered state for every order, with duplicates and interleaved processing', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ offsets, specs, order, duplicates, drainAfter }) => {
        const events = buildAll(offsets, specs);
        const ordered = [...events].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
        const shuffled = order.map((i) => events[i]!);
        for (const [i, position] of duplicates)
          shuffled.splice(position % (shuffled.length + 1), 0, events[i]!);

        const reference = await openTempStore({ memory: true });
        const subject = await openTempStore({ memory: true });
        try {
          await deliver(
            reference.store,
            ordered,
            ordered.map(() => true),
          );
          await deliver(subject.store, shuffled, drainAfter);
          const [expected, actual] = [await snapshot(reference.store), await snapshot(subject.store)];
          expect(actual).toEqual(expected);
          expect(actual.counts).toEqual({ pending: 0, processing: 0, done: events.length, dead: 0 });
          // Both stores could agree on a wrong rule (e.g. highest event id wins): check against a model too.
          expect(
            actual.inquiries.map((view) => view && { status: view.status, statusAtMs: view.statusAtMs }),
          ).toEqual(newestPerInquiry(offsets, specs));
        } finally {
          await reference.dispose();
          await subject.dispose();
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a completed or declined event after an approval wins, whichever arrives first', async () => {
    const inquiry = INQUIRIES[0];
    const at = (s: number) => new Date(T0 + 10_000 + s * 1_000);
    const common = {
      inquiryId: inquiry.inquiryId,
      referenceId: inquiry.referenceId,
      inquiryCreatedAt: new Date(inquiry.createdAtMs),
    };
    const approved = buildEvent({ ...common, name: 'inquiry.approved', createdAt: at(1) });
    const completed = buildEvent({ ...common, name: 'inquiry.completed', createdAt: at(2) });
    const declined = buildEvent({ ...common, name: 'inquiry.declined', createdAt: at(3) });

    const temp = await openTempStore();
    try {
      await deliver(temp.store, [completed, approved], [true, true]);
      expect(await temp.store.getKyc(inquiry.referenceId)).toMatchObject({
        status: 'completed',
        inquiryId: inquiry.inquiryId,
      });
      await deliver(temp.store, [declined, approved], [true, true]);
      expect(await temp.store.getInquiry(inquiry.inquiryId)).toMatchObject({
        status: 'declined',
        statusAtMs: at(3).getTime(),
      });
    } finally {
      await temp.dispose();
    }
  });
});
