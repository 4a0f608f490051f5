/**
 * A deterministic outbox for the deliveries API and dashboard tests, written straight into a store:
 * a failing endpoint and a healthy one, decision changes of three users made by the real worker, and
 * attempts recorded with the store's own claim/finish calls (the results a delivery worker would
 * report) — so nothing depends on a delivery worker running, and the retries it leaves are far in
 * the future, where a running worker does not touch them.
 */
import { createWorker } from '../../packages/persona-webhooks/src/index.js';
import type {
  AppEndpoint,
  ClaimedDelivery,
  DeliveryResult,
} from '../../packages/persona-webhooks/src/outbox/outbox-types.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { ingestBuilt } from '../worker/temp-store.js';

/** The endpoints' signing secret: no answer may ever contain it. */
export const SEEDED_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const FAILING_ENDPOINT = 'ep_app_down';
export const HEALTHY_ENDPOINT = 'ep_app_ok';

export interface SeedOptions {
  /** Where the failing endpoint points (e.g. a closed local port). */
  failingUrl: string;
  healthyUrl: string;
  /** When the decisions changed; the attempts follow within seconds. Default 10 minutes ago. */
  baseMs?: number;
  /** When the failing endpoint's retries are due. Default in 7 days. */
  retryAtMs?: number;
}

export interface SeededOutbox {
  baseMs: number;
  retryAtMs: number;
  /** user-retry's message to the failing endpoint: two failed attempts, pending until `retryAtMs`. */
  retrying: string;
  /** user-dead's message to the failing endpoint: one HTTP 500, then dead. */
  dead: string;
  /** user-retry's message to the healthy endpoint: delivered with a 200. */
  delivered: string;
  /** user-wait's second message to the failing endpoint: not tried, behind their first. */
  waiting: string;
}

const ok = (durationMs: number): DeliveryResult => ({ ok: true, statusCode: 200, error: null, durationMs });
/** As the delivery worker words its failures. */
export const HTTP_503: DeliveryResult = { ok: false, statusCode: 503, error: 'HTTP 503', durationMs: 41 };
export const HTTP_500: DeliveryResult = { ok: false, statusCode: 500, error: 'HTTP 500', durationMs: 37 };
export const REFUSED: DeliveryResult = {
  ok: false,
  statusCode: null,
  error: 'connection failed (ECONNREFUSED)',
  durationMs: 2,
};

/** Writes the endpoints and messages into `store` (migrated, no service running on it). */
export async function seedOutbox(store: Store, options: SeedOptions): Promise<SeededOutbox> {
  const baseMs = options.baseMs ?? Date.now() - 10 * 60_000;
  const retryAtMs = options.retryAtMs ?? Date.now() + 7 * 24 * 3600_000;
  const endpoint = (id: string, url: string): AppEndpoint => ({
    id,
    url,
    secrets: [{ secret: SEEDED_SECRET, expiresAtMs: null }],
    enabled: true,
    source: 'cli',
    createdAtMs: baseMs - 60_000,
  });
  // Endpoints first: a change writes messages only to the endpoints that exist when it commits.
  await store.putEndpoint(endpoint(FAILING_ENDPOINT, options.failingUrl));
  await store.putEndpoint(endpoint(HEALTHY_ENDPOINT, options.healthyUrl));

  const decide = async (user: string, name: string, s: number) => {
    const createdAt = new Date(baseMs - 3600_000 + s * 1000);
    await ingestBuilt(
      store,
      buildEvent({ name, referenceId: user, inquiryId: `inq_${user}`, createdAt }),
      baseMs,
    );
    await createWorker({ store, now: () => baseMs + s }).drain();
  };
  await decide('user-retry', 'inquiry.approved', 1);
  await decide('user-dead', 'inquiry.declined', 2);
  await decide('user-wait', 'inquiry.started', 3);
  await decide('user-wait', 'inquiry.approved', 4);

  /** Leases what is due at `nowMs` and records the result `outcome` gives each (with its retry time). */
  const round = async (
    nowMs: number,
    outcome: (claim: ClaimedDelivery) => [DeliveryResult, number | null],
  ): Promise<ClaimedDelivery[]> => {
    const claims = await store.claimDeliveries({ limit: 100, leaseMs: 60_000, nowMs });
    for (const claim of claims) {
      const [result, retryAt] = outcome(claim);
      await store.finishDelivery(claim, result, retryAt, nowMs + result.durationMs);
    }
    return claims;
  };
  const first = await round(baseMs + 1_000, (claim) => {
    if (claim.endpointId === HEALTHY_ENDPOINT) return [ok(12), null];
    if (claim.referenceId === 'user-dead') return [HTTP_500, null];
    if (claim.referenceId === 'user-retry') return [HTTP_503, baseMs + 6_000];
    return [REFUSED, retryAtMs];
  });
  // user-retry's second attempt, and user-wait's second message to the healthy endpoint.
  await round(baseMs + 7_000, (claim) =>
    claim.endpointId === HEALTHY_ENDPOINT ? [ok(9), null] : [REFUSED, retryAtMs],
  );

  const find = (endpointId: string, user: string) =>
    first.find((c) => c.endpointId === endpointId && c.referenceId === user)!.id;
  const failingWait = await store.listDeliveries({ endpointId: FAILING_ENDPOINT, referenceId: 'user-wait' });
  return {
    baseMs,
    retryAtMs,
    retrying: find(FAILING_ENDPOINT, 'user-retry'),
    dead: find(FAILING_ENDPOINT, 'user-dead'),
    delivered: find(HEALTHY_ENDPOINT, 'user-retry'),
    // Newest first: the second change.
    waiting: failingWait.deliveries[0]!.id,
  };
}
