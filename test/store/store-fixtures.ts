/**
 * Builders for store tests: events, quarantined bodies and projection updates with sensible
 * defaults, so each test states only what it is about. Times are fixed, never `Date.now()`.
 */
import { createHash } from 'node:crypto';
import type {
  InquiryStatusUpdate,
  ProjectionUpdate,
} from '../../packages/persona-webhooks/src/kyc/projection-update.js';
import type { InboxEvent, QuarantinedBody } from '../../packages/persona-webhooks/src/store/inbox/inbox.js';
import type { ClaimedEvent } from '../../packages/persona-webhooks/src/store/queue/work-queue.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';

/** 2024-02-15T00:00:00Z: the base of every test clock. */
export const T0 = Date.UTC(2024, 1, 15);

const encoder = new TextEncoder();

/** An ingestible event; `createdAtMs` defaults to `receivedAtMs`. */
export function inboxEvent(id: string, overrides: Partial<InboxEvent> = {}): InboxEvent {
  const createdAtMs = overrides.createdAtMs ?? T0;
  return {
    id,
    name: 'inquiry.approved',
    createdAt: new Date(createdAtMs).toISOString(),
    createdAtMs,
    objectType: 'inquiry',
    objectId: 'inq_1',
    inquiryId: 'inq_1',
    accountId: null,
    body: encoder.encode(
      JSON.stringify({ data: { type: 'event', id, attributes: { 'completion-time': 40.172463903 } } }),
    ),
    attemptsMade: 1,
    attemptsLeft: 7,
    firstAttemptedAtMs: T0,
    receivedAtMs: T0,
    ...overrides,
  };
}

/** A quarantined body keyed by its real SHA-256. */
export function quarantinedBody(text: string, receivedAtMs = T0): QuarantinedBody {
  const body = encoder.encode(text);
  return {
    sha256: createHash('sha256').update(body).digest('hex'),
    body,
    reason: 'malformed: data.id is missing',
    receivedAtMs,
  };
}

/** An inquiry update with nothing but the status key set. */
export function inquiryUpdate(
  overrides: Partial<InquiryStatusUpdate> & { eventId: string },
): InquiryStatusUpdate {
  return {
    kind: 'inquiry',
    inquiryId: 'inq_1',
    referenceId: null,
    accountId: null,
    status: null,
    statusAtMs: T0,
    inquiryCreatedAtMs: null,
    redactedAtMs: null,
    ...overrides,
  };
}

/** Claims exactly one event at `nowMs` and fails the test if there is not exactly one due. */
export async function claimOne(store: Store, nowMs: number, leaseMs = 60_000): Promise<ClaimedEvent> {
  const claimed = await store.claim({ limit: 10, leaseMs, nowMs });
  if (claimed.length !== 1)
    throw new Error(`expected one due event, got ${claimed.map((c) => c.id).join(', ')}`);
  return claimed[0]!;
}

let carrierSeq = 0;

/**
 * Applies updates through the real path: a carrier event is ingested, claimed and completed with them.
 * Returns whether the completion committed.
 */
export async function applyUpdates(store: Store, updates: ProjectionUpdate[], nowMs = T0): Promise<boolean> {
  const id = `evt_carrier_${String(++carrierSeq).padStart(6, '0')}`;
  await store.ingest(
    inboxEvent(id, { inquiryId: null, objectId: null, receivedAtMs: nowMs, createdAtMs: nowMs }),
  );
  const claim = await claimOne(store, nowMs);
  return store.complete(claim, updates, nowMs);
}

/** Every ordering of `items` (n! of them: keep n small). */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
