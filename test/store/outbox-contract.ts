/**
 * The outbox every store must have, run against each dialect: a decision change writes one message
 * per enabled endpoint in the transaction that changed it; a user's messages to one endpoint are
 * leased one at a time in order, while other users and endpoints go on; outcomes, retries, dead
 * letters and replays are recorded with their attempts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEndpoint } from '../../packages/persona-webhooks/src/outbox/outbox-types.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { ingestBuilt } from '../worker/temp-store.js';
import type { OpenStore } from './store-contract.js';

const T0 = Date.parse('2024-05-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1_000);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ok = { ok: true, statusCode: 200, error: null, durationMs: 3 };
const down = { ok: false, statusCode: 503, error: 'HTTP 503', durationMs: 2 };

function endpoint(id: string, overrides: Partial<AppEndpoint> = {}): AppEndpoint {
  return {
    id,
    url: `http://127.0.0.1:9/${id}`,
    secrets: [{ secret: SECRET, expiresAtMs: null }],
    enabled: true,
    source: 'cli',
    createdAtMs: T0,
    ...overrides,
  };
}

/** Registers the outbox suite for one store implementation. */
export function describeOutboxContract(label: string, open: OpenStore): void {
  describe(`Outbox contract: ${label}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const decide = async (user: string, name: string, s: number) => {
      await ingestBuilt(
        store,
        buildEvent({ name, referenceId: user, inquiryId: `inq_${user}`, createdAt: at(s) }),
        T0,
      );
      await createWorker({ store, now: () => T0 + 10_000_000 }).drain();
    };

    it('writes one message per enabled endpoint with each decision change, and none without a change', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await store.putEndpoint(endpoint('ep_b'));
      await store.putEndpoint(endpoint('ep_off', { enabled: false }));
      await decide('u1', 'inquiry.started', 1);
      await decide('u1', 'inquiry.approved', 2);
      // A redelivery of an older status changes nothing, so it sends nothing.
      await decide('u1', 'inquiry.started', 1);
      const page = await store.listDeliveries({});
      expect(page.deliveries.map((d) => d.endpointId).sort()).toEqual(['ep_a', 'ep_a', 'ep_b', 'ep_b']);
      const newest = page.deliveries[0]!;
      const body = JSON.parse(newest.payload);
      expect(body).toMatchObject({
        type: 'kyc.decision_changed',
        data: { referenceId: 'u1', decision: 'approved', previousDecision: 'pending', inquiryId: 'inq_u1' },
      });
      expect(body.data.reasons[0]).toMatchObject({ code: 'inquiry_approved' });
      expect(newest.payload).not.toContain('Jane');
      expect(await store.deliveryStats()).toMatchObject({
        pending: 4,
        delivered: 0,
        oldestUndeliveredAtMs: expect.any(Number),
      });
    });

    it("sends a user's messages to one endpoint in order, one at a time; other users and endpoints are not held up", async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await decide('u1', 'inquiry.started', 1);
      await decide('u1', 'inquiry.approved', 2);
      await decide('u2', 'inquiry.declined', 3);
      const now = T0 + 20_000_000;
      const first = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now });
      expect(first.map((c) => [c.referenceId, JSON.parse(c.payload).data.decision])).toEqual([
        ['u1', 'pending'],
        ['u2', 'declined'],
      ]);
      expect(first[0]).toMatchObject({ attempt: 1, url: 'http://127.0.0.1:9/ep_a', secrets: [SECRET] });
      // u1's second message waits while its first is being sent, and while it is retrying.
      expect(await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now })).toEqual([]);
      expect(await store.finishDelivery(first[0]!, down, now + 5_000, now)).toBe(true);
      expect(await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now + 1_000 })).toEqual([]);
      const retried = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now + 5_000 });
      expect(retried.map((c) => [c.id, c.attempt])).toEqual([[first[0]!.id, 2]]);
      expect(await store.finishDelivery(retried[0]!, ok, null, now + 5_100)).toBe(true);
      const next = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now + 5_200 });
      expect(next.map((c) => JSON.parse(c.payload).data.decision)).toEqual(['approved']);
      const detail = await store.getDelivery(first[0]!.id);
      expect(detail).toMatchObject({
        status: 'delivered',
        attempts: 2,
        lastStatusCode: 200,
        lastError: null,
      });
      expect(detail?.attemptLog.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
        [1, 503, 'HTTP 503'],
        [2, 200, null],
      ]);
    });

    it('a lost lease cannot finish; an expired lease makes the message due again', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await decide('u1', 'inquiry.approved', 1);
      const now = T0 + 20_000_000;
      const [claim] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now });
      const [again] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now + 1_000 });
      expect(again).toMatchObject({ id: claim!.id, attempt: 2 });
      expect(await store.finishDelivery(claim!, ok, null, now + 1_100)).toBe(false);
      expect(await store.finishDelivery(again!, ok, null, now + 1_100)).toBe(true);
    });

    it('finishes given together each get their own outcome: a lost lease loses alone', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      for (const [i, user] of ['u1', 'u2', 'u3'].entries()) await decide(user, 'inquiry.approved', i + 1);
      const now = T0 + 20_000_000;
      const claims = await store.claimDeliveries({ limit: 3, leaseMs: 60_000, nowMs: now });
      expect(claims).toHaveLength(3);
      const results = await Promise.all([
        store.finishDelivery(claims[0]!, ok, null, now + 1),
        store.finishDelivery({ ...claims[1]!, leaseToken: 'stolen' }, ok, null, now + 1),
        store.finishDelivery(claims[2]!, down, now + 60_000, now + 1),
      ]);
      expect(results).toEqual([true, false, true]);
      expect(await store.deliveryStats()).toMatchObject({ delivered: 1, sending: 1, pending: 1 });
      expect((await store.getDelivery(claims[2]!.id))?.attemptLog).toMatchObject([
        { attempt: 1, statusCode: 503, error: 'HTTP 503' },
      ]);
    });

    it('dead after the last attempt, then replayed with the same id and a fresh count', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await decide('u1', 'inquiry.approved', 1);
      const now = T0 + 20_000_000;
      const [claim] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now });
      await store.finishDelivery(
        claim!,
        { ok: false, statusCode: null, error: 'connection failed (ECONNREFUSED)', durationMs: 1 },
        null,
        now,
      );
      expect(await store.getDelivery(claim!.id)).toMatchObject({ status: 'dead', nextAttemptAtMs: null });
      expect(await store.deliveryStats()).toMatchObject({ dead: 1, pending: 0, oldestUndeliveredAtMs: null });
      expect(await store.replayDelivery(claim!.id, now + 10)).toBe('replayed');
      expect(await store.replayDelivery(claim!.id, now + 10)).toBe('already_queued');
      expect(await store.replayDelivery('msg_nope', now)).toBe('not_found');
      const [replayed] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now + 10 });
      expect(replayed).toMatchObject({ id: claim!.id, attempt: 1 });
    });

    it('signs with every unexpired secret, newest first; a disabled endpoint holds its messages', async () => {
      const older = 'whsec_b2xkZXItc2VjcmV0LW9sZGVyLXNlY3JldA==';
      const now = T0 + 20_000_000;
      await store.putEndpoint(
        endpoint('ep_a', {
          secrets: [
            { secret: SECRET, expiresAtMs: null },
            { secret: older, expiresAtMs: now + 60_000 },
            { secret: 'whsec_ZXhwaXJlZC1zZWNyZXQtZXhwaXJlZA==', expiresAtMs: now - 1 },
          ],
        }),
      );
      await decide('u1', 'inquiry.approved', 1);
      await store.putEndpoint(endpoint('ep_a', { enabled: false }));
      expect(await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now })).toEqual([]);
      await store.putEndpoint(
        endpoint('ep_a', {
          secrets: [
            { secret: SECRET, expiresAtMs: null },
            { secret: older, expiresAtMs: now + 60_000 },
          ],
        }),
      );
      const [claim] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now });
      expect(claim?.secrets).toEqual([SECRET, older]);
      expect((await store.listEndpoints()).map((e) => [e.id, e.enabled])).toEqual([['ep_a', true]]);
    });

    it('leases at most perEndpoint messages of one endpoint at once, counting those being sent', async () => {
      await store.putEndpoint(endpoint('ep_slow'));
      await store.putEndpoint(endpoint('ep_ok'));
      for (const [i, user] of ['u1', 'u2', 'u3', 'u4'].entries())
        await decide(user, 'inquiry.approved', i + 1);
      const now = T0 + 20_000_000;
      const claim = (nowMs: number) =>
        store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs, perEndpoint: 2 });
      const first = await claim(now);
      const per = (claims: { endpointId: string }[]) => {
        const counts: Record<string, number> = {};
        for (const c of claims) counts[c.endpointId] = (counts[c.endpointId] ?? 0) + 1;
        return counts;
      };
      expect(per(first)).toEqual({ ep_slow: 2, ep_ok: 2 });
      // Both endpoints are at their limit while those are being sent.
      expect(await claim(now + 1)).toEqual([]);
      // ep_ok answers: it gets its next two; ep_slow still holds two.
      for (const c of first.filter((c) => c.endpointId === 'ep_ok'))
        await store.finishDelivery(c, ok, null, now + 2);
      expect(per(await claim(now + 3))).toEqual({ ep_ok: 2 });
      // Without a limit, everything due goes (the leases have run out: 4 of ep_slow, 2 of ep_ok).
      const all = await store.claimDeliveries({ limit: 10, leaseMs: 60_000, nowMs: now + 120_000 });
      expect(per(all)).toEqual({ ep_slow: 4, ep_ok: 2 });
    });

    it('sends a pending message now; refuses one that is not pending', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await decide('u1', 'inquiry.approved', 1);
      const now = T0 + 20_000_000;
      const [claim] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now });
      await store.finishDelivery(claim!, down, now + 3_600_000, now);
      expect(await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now + 10 })).toEqual([]);
      expect(await store.sendDeliveryNow(claim!.id, now + 10)).toBe('queued_now');
      const [again] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now + 10 });
      expect(again).toMatchObject({ id: claim!.id, attempt: 2 });
      expect(await store.sendDeliveryNow(claim!.id, now + 20)).toBe('not_pending');
      expect(await store.sendDeliveryNow('msg_nope', now + 20)).toBe('not_found');
    });

    it("recovers an endpoint's failed and dead messages since a time, and no one else's", async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await store.putEndpoint(endpoint('ep_b'));
      await decide('u1', 'inquiry.approved', 1);
      await decide('u2', 'inquiry.declined', 2);
      const now = T0 + 20_000_000;
      const claims = await store.claimDeliveries({ limit: 10, leaseMs: 1_000, nowMs: now });
      const a = claims.filter((c) => c.endpointId === 'ep_a');
      await store.finishDelivery(a[0]!, down, null, now); // dead
      await store.finishDelivery(a[1]!, down, now + 3_600_000, now); // retrying in an hour
      for (const c of claims.filter((c) => c.endpointId === 'ep_b'))
        await store.finishDelivery(c, down, null, now);
      expect(await store.recoverDeliveries({ endpointId: 'ep_a', sinceMs: now + 1 }, now + 10)).toBe(0);
      expect(await store.recoverDeliveries({ endpointId: 'ep_a', sinceMs: 0 }, now + 10)).toBe(2);
      const again = await store.claimDeliveries({ limit: 10, leaseMs: 1_000, nowMs: now + 10 });
      expect(again.map((c) => [c.endpointId, c.attempt]).sort()).toEqual([
        ['ep_a', 1],
        ['ep_a', 2],
      ]);
      expect((await store.listDeliveries({ endpointId: 'ep_b' })).deliveries.map((d) => d.status)).toEqual([
        'dead',
        'dead',
      ]);
    });

    it('removes an endpoint with its messages', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await store.putEndpoint(endpoint('ep_b'));
      await decide('u1', 'inquiry.approved', 1);
      const now = T0 + 20_000_000;
      const [claim] = (await store.claimDeliveries({ limit: 10, leaseMs: 1_000, nowMs: now })).filter(
        (c) => c.endpointId === 'ep_a',
      );
      await store.finishDelivery(claim!, down, null, now);
      expect(await store.removeEndpoint('ep_a')).toEqual({ removed: true, messages: 1 });
      expect(await store.removeEndpoint('ep_a')).toEqual({ removed: false, messages: 0 });
      expect((await store.listEndpoints()).map((e) => e.id)).toEqual(['ep_b']);
      expect(await store.getDelivery(claim!.id)).toBeNull();
      expect((await store.listDeliveries({})).deliveries.map((d) => d.endpointId)).toEqual(['ep_b']);
    });

    it("keeps each attempt's answer excerpt and headers, and marks an attempt cut by a crash interrupted", async () => {
      await store.putEndpoint(endpoint('ep_a'));
      await decide('u1', 'inquiry.approved', 1);
      const now = T0 + 20_000_000;
      const [lost] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now });
      // The sender died with the lease: the next claim marks that attempt interrupted.
      const [claim] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now + 1_000 });
      const headers = { 'webhook-id': claim!.id, 'webhook-signature': 'v1,***' };
      await store.finishDelivery(
        claim!,
        {
          ...down,
          statusCode: 400,
          error: 'HTTP 400',
          responseExcerpt: '{"error":"<b>bad</b>"}',
          requestHeaders: headers,
        },
        now + 60_000,
        now + 1_100,
      );
      // The lost sender's late outcome changes nothing.
      expect(await store.finishDelivery(lost!, ok, null, now + 1_200)).toBe(false);
      const detail = await store.getDelivery(claim!.id);
      expect(detail?.attemptLog).toEqual([
        expect.objectContaining({
          attempt: 1,
          interrupted: true,
          durationMs: null,
          statusCode: null,
          responseExcerpt: null,
        }),
        expect.objectContaining({
          attempt: 2,
          interrupted: false,
          statusCode: 400,
          responseExcerpt: '{"error":"<b>bad</b>"}',
          requestHeaders: headers,
        }),
      ]);
    });

    it('pages deliveries newest first, with filters', async () => {
      await store.putEndpoint(endpoint('ep_a'));
      for (let u = 0; u < 5; u++) await decide(`u${u}`, 'inquiry.approved', u + 1);
      const first = await store.listDeliveries({ limit: 2 });
      expect(first.deliveries.map((d) => d.referenceId)).toEqual(['u4', 'u3']);
      const second = await store.listDeliveries({ limit: 2, cursor: first.nextCursor! });
      expect(second.deliveries.map((d) => d.referenceId)).toEqual(['u2', 'u1']);
      expect((await store.listDeliveries({ referenceId: 'u0' })).deliveries).toHaveLength(1);
      expect((await store.listDeliveries({ status: 'dead' })).deliveries).toEqual([]);
    });
  });
}
