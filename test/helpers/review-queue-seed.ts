/**
 * Users with every decision, each decided at a known time, written into a store through the real path
 * (events ingested, then processed by a worker whose clock is at that time): the review queue the CLI
 * and the dashboard tests list. Held for review, newest change first: frank (a case on his approved
 * inquiry, the newest change), `<i>ivy</i>` (a reference id that must show as text), dave (a case),
 * carol (a watchlist match), then the `fillers` oldest of all.
 */
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt } from '../worker/temp-store.js';

const MINUTE = 60_000;

/** What was seeded: reference ids by decision, each list newest change first, and the change times. */
export interface SeededQueue {
  needsReview: string[];
  approved: string[];
  declined: string[];
  pending: string[];
  /** When each user's decision last changed, epoch ms. */
  changedAtMs: Record<string, number>;
}

/** Seeds the users; `baseMs` is the oldest change (the fillers'), the others follow a minute apart. */
export async function seedReviewQueue(
  store: Store,
  { baseMs, fillers = 0 }: { baseMs: number; fillers?: number },
): Promise<SeededQueue> {
  const changedAtMs: Record<string, number> = {};
  /**
   * Processes `events` with the worker's clock at `atMs`; Persona created them a second apart, in the
   * order given, just before (a match counts against the approval it comes after).
   */
  const at = async (atMs: number, users: string[], ...events: Parameters<typeof buildEvent>[0][]) => {
    for (const [i, options] of events.entries()) {
      const createdAt = new Date(atMs - (events.length - i) * 1000);
      await ingestBuilt(store, buildEvent({ ...options, createdAt }), atMs);
    }
    await createWorker({ store, now: () => atMs }).drain();
    // On PostgreSQL the decisions follow in passes after the facts commit: wait for them (a read of
    // decisions does), so the next step's changes are not recorded at this step's time or the reverse.
    await store.countDecisions();
    for (const user of users) changedAtMs[user] = atMs;
  };
  const inquiry = (referenceId: string, name: string) => ({
    name,
    referenceId,
    inquiryId: inquiryOf(referenceId),
  });
  const caseOn = (referenceId: string) => ({
    name: 'case.created',
    inquiryId: inquiryOf(referenceId),
    caseId: `case_${slug(referenceId)}`,
  });

  const filler = Array.from({ length: fillers }, (_, i) => `queue-${String(i).padStart(3, '0')}`);
  // One change for all of them: the reference id orders them, descending.
  if (filler.length > 0) {
    await at(baseMs, filler, ...filler.flatMap((user) => [inquiry(user, 'inquiry.approved'), caseOn(user)]));
  }
  await at(baseMs + MINUTE, ['alice'], inquiry('alice', 'inquiry.approved'));
  await at(baseMs + 2 * MINUTE, ['bob'], inquiry('bob', 'inquiry.declined'));
  await at(baseMs + 3 * MINUTE, ['carol'], inquiry('carol', 'inquiry.approved'), {
    name: 'report/watchlist.matched',
    inquiryId: inquiryOf('carol'),
    reportId: 'rep_carol',
  });
  await at(baseMs + 4 * MINUTE, ['dave'], inquiry('dave', 'inquiry.approved'), caseOn('dave'));
  await at(baseMs + 5 * MINUTE, ['erin'], inquiry('erin', 'inquiry.created'));
  await at(
    baseMs + 6 * MINUTE,
    ['<i>ivy</i>'],
    inquiry('<i>ivy</i>', 'inquiry.approved'),
    caseOn('<i>ivy</i>'),
  );
  await at(baseMs + 7 * MINUTE, ['frank'], inquiry('frank', 'inquiry.approved'));
  await at(baseMs + 8 * MINUTE, ['frank'], caseOn('frank'));
  return {
    needsReview: ['frank', '<i>ivy</i>', 'dave', 'carol', ...filler.reverse()],
    approved: ['alice'],
    declined: ['bob'],
    pending: ['erin'],
    changedAtMs,
  };
}

function slug(referenceId: string): string {
  return referenceId.replace(/\W/g, '');
}

function inquiryOf(referenceId: string): string {
  return `inq_${slug(referenceId)}`;
}
