/**
 * The behaviour the service state must have (app tokens, dashboard sign-outs, the reconciliation
 * checkpoint and lease), as one suite each dialect runs against a real database: moved here from the
 * library's store contracts with the same assertions when the state moved to the server package.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceStateDatabase } from '../../../packages/server/src/service-state/service-state.js';
import { T0 } from '../../store/store-fixtures.js';

/** Opens fresh, migrated, EMPTY service states; with `count` > 1, all share one database (instances). */
export type OpenServiceStates = (
  count: number,
) => Promise<{ states: ServiceStateDatabase[]; cleanup: () => Promise<void> }>;

const MINUTE = 60_000;

/** Registers the service state contract suite for one dialect. */
export function describeServiceStateContract(label: string, open: OpenServiceStates): void {
  describe(`Service state contract: ${label}`, () => {
    let store: ServiceStateDatabase;
    let other: ServiceStateDatabase;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const opened = await open(2);
      [store, other] = opened.states as [ServiceStateDatabase, ServiceStateDatabase];
      cleanup = opened.cleanup;
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('reconciliation state', () => {
      it('starts empty and due at once', async () => {
        expect(await store.getReconcileState()).toEqual({
          checkpointMs: null,
          nextRunAtMs: 0,
          leaseOwner: null,
          leaseExpiresAtMs: null,
          lastStartedAtMs: null,
          lastFinishedAtMs: null,
          lastResult: null,
          lastError: null,
          failures: 0,
          recoveredTotal: 0,
          lastRecovered: null,
        });
      });

      it('gives the lease to one instance at a time; the other gets null', async () => {
        const claimed = await store.claimReconcile('a', MINUTE, T0);
        expect(claimed).toMatchObject({
          leaseOwner: 'a',
          leaseExpiresAtMs: T0 + MINUTE,
          lastStartedAtMs: T0,
        });
        expect(await other.claimReconcile('b', MINUTE, T0 + 1)).toBeNull();
        expect((await other.getReconcileState()).leaseOwner).toBe('a');
      });

      it('hands the lease to exactly one of many concurrent claimers', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).claimReconcile(`i${i}`, MINUTE, T0)),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      });

      it('takes over an expired lease (a crashed run); renew keeps a live one', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        expect(await store.renewReconcileLease('a', MINUTE, T0 + 50_000)).toBe(true);
        expect(await other.claimReconcile('b', MINUTE, T0 + 60_000)).toBeNull(); // renewed to T0+110s
        expect(await other.claimReconcile('b', MINUTE, T0 + 110_000)).toMatchObject({ leaseOwner: 'b' });
        expect(await store.renewReconcileLease('a', MINUTE, T0 + 110_001)).toBe(false);
      });

      it('records a success: checkpoint, counts, schedule; releases the lease', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        const outcome = {
          ok: true as const,
          checkpointMs: T0 - 5,
          recovered: 3,
          nextRunAtMs: T0 + 5 * MINUTE,
        };
        expect(await store.finishReconcile('a', outcome, T0 + 100)).toBe(true);
        expect(await other.getReconcileState()).toMatchObject({
          checkpointMs: T0 - 5,
          nextRunAtMs: T0 + 5 * MINUTE,
          leaseOwner: null,
          leaseExpiresAtMs: null,
          lastStartedAtMs: T0,
          lastFinishedAtMs: T0 + 100,
          lastResult: 'ok',
          lastError: null,
          failures: 0,
          recoveredTotal: 3,
          lastRecovered: 3,
        });
        // Not due yet, for any instance.
        expect(await other.claimReconcile('b', MINUTE, T0 + 4 * MINUTE)).toBeNull();
        expect(await other.claimReconcile('b', MINUTE, T0 + 5 * MINUTE)).toMatchObject({
          checkpointMs: T0 - 5,
        });
      });

      it('records failures in a row without touching the checkpoint; a success resets them', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        await store.finishReconcile('a', { ok: true, checkpointMs: T0, recovered: 1, nextRunAtMs: T0 }, T0);
        for (let i = 1; i <= 2; i++) {
          await store.claimReconcile('a', MINUTE, T0 + i);
          await store.finishReconcile('a', { ok: false, error: `boom ${i}`, nextRunAtMs: T0 + i }, T0 + i);
        }
        expect(await store.getReconcileState()).toMatchObject({
          checkpointMs: T0,
          lastResult: 'failed',
          lastError: 'boom 2',
          failures: 2,
          recoveredTotal: 1,
          lastRecovered: 1,
        });
        await store.claimReconcile('a', MINUTE, T0 + 10);
        await store.finishReconcile(
          'a',
          { ok: true, checkpointMs: T0 + 10, recovered: 0, nextRunAtMs: T0 },
          T0 + 10,
        );
        expect(await store.getReconcileState()).toMatchObject({
          failures: 0,
          lastResult: 'ok',
          lastError: null,
        });
      });

      it('never moves the checkpoint back', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        await store.finishReconcile('a', { ok: true, checkpointMs: T0, recovered: 0, nextRunAtMs: 0 }, T0);
        await store.claimReconcile('a', MINUTE, T0 + 1);
        await store.finishReconcile(
          'a',
          { ok: true, checkpointMs: T0 - MINUTE, recovered: 0, nextRunAtMs: 0 },
          T0 + 1,
        );
        expect((await store.getReconcileState()).checkpointMs).toBe(T0);
      });

      it('refuses to record a run whose lease was lost', async () => {
        await store.claimReconcile('a', MINUTE, T0);
        await other.claimReconcile('b', MINUTE, T0 + MINUTE);
        const outcome = { ok: true as const, checkpointMs: T0 + 1, recovered: 9, nextRunAtMs: 0 };
        expect(await store.finishReconcile('a', outcome, T0 + MINUTE + 1)).toBe(false);
        expect(await store.getReconcileState()).toMatchObject({
          leaseOwner: 'b',
          checkpointMs: null,
          recoveredTotal: 0,
        });
      });
    });

    describe('app tokens', () => {
      const hash = (n: number) => n.toString(16).padStart(64, '0');

      it('stores tokens by hash, lists them oldest first, records use and revokes for good', async () => {
        expect(await store.listAppTokens()).toEqual([]);
        await store.createAppToken({ id: 'apt_b', name: 'payouts', tokenHash: hash(2), createdAtMs: T0 + 1 });
        await store.createAppToken({ id: 'apt_a', name: 'backend', tokenHash: hash(1), createdAtMs: T0 });
        expect(await store.findAppToken(hash(1))).toEqual({
          id: 'apt_a',
          name: 'backend',
          createdAtMs: T0,
          lastUsedAtMs: null,
          revokedAtMs: null,
        });
        expect(await store.findAppToken(hash(3))).toBeNull();

        await store.touchAppToken('apt_a', T0 + 5_000);
        await store.touchAppToken('apt_a', T0 + 2_000); // a slower instance's older use
        expect((await store.findAppToken(hash(1)))?.lastUsedAtMs).toBe(T0 + 5_000);

        expect(await store.revokeAppToken('apt_a', T0 + 9_000)).toBe('revoked');
        expect(await store.revokeAppToken('apt_a', T0 + 10_000)).toBe('already_revoked');
        expect(await store.revokeAppToken('apt_unknown', T0)).toBe('not_found');
        expect(await store.listAppTokens()).toEqual([
          {
            id: 'apt_a',
            name: 'backend',
            createdAtMs: T0,
            lastUsedAtMs: T0 + 5_000,
            revokedAtMs: T0 + 9_000,
          },
          { id: 'apt_b', name: 'payouts', createdAtMs: T0 + 1, lastUsedAtMs: null, revokedAtMs: null },
        ]);
        // A revoked token is still found (so it can be refused as revoked), never valid again.
        expect((await store.findAppToken(hash(1)))?.revokedAtMs).toBe(T0 + 9_000);
      });

      it('refuses a second token with the same hash', async () => {
        await store.createAppToken({ id: 'apt_a', name: 'one', tokenHash: hash(1), createdAtMs: T0 });
        await expect(
          store.createAppToken({ id: 'apt_b', name: 'two', tokenHash: hash(1), createdAtMs: T0 }),
        ).rejects.toThrow();
        expect((await store.listAppTokens()).map((t) => t.id)).toEqual(['apt_a']);
      });
    });

    describe('lifecycle', () => {
      it('tolerates migrate being run again', async () => {
        await store.createAppToken({ id: 'apt_a', name: 'one', tokenHash: 'a'.repeat(64), createdAtMs: T0 });
        expect(await store.migrate()).toEqual([]);
        expect((await store.listAppTokens()).map((t) => t.id)).toEqual(['apt_a']);
        expect(await store.schemaStatus()).toEqual({ applied: 1, latest: 1 });
      });

      it('rejects everything with store_unavailable once closed', async () => {
        await store.close();
        const calls: (() => Promise<unknown>)[] = [
          () => store.revokeSession('session-id-after-close', T0 + 1000, T0),
          () => store.isSessionRevoked('session-id-after-close'),
          () => store.findAppToken('0'.repeat(64)),
          () => store.getReconcileState(),
        ];
        for (const call of calls) {
          await expect(call()).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
        }
      });
    });

    describe('session revocations (dashboard sign-out)', () => {
      it('records a sign-out once, and answers for it until its expiry', async () => {
        expect(await store.isSessionRevoked('session-a')).toBe(false);
        await store.revokeSession('session-a', T0 + 60_000, T0);
        await store.revokeSession('session-a', T0 + 60_000, T0 + 1); // a second sign-out changes nothing
        expect(await store.isSessionRevoked('session-a')).toBe(true);
        expect(await store.isSessionRevoked('session-b')).toBe(false);
      });

      it('each sign-out deletes the records of sessions that have expired since', async () => {
        await store.revokeSession('session-old', T0 + 10, T0);
        await store.revokeSession('session-live', T0 + 60_000, T0);
        expect(await store.isSessionRevoked('session-old')).toBe(true);
        await store.revokeSession('session-new', T0 + 120_000, T0 + 10);
        expect(await store.isSessionRevoked('session-old')).toBe(false); // expired: its cookie is refused anyway
        expect(await store.isSessionRevoked('session-live')).toBe(true);
        expect(await store.isSessionRevoked('session-new')).toBe(true);
      });
    });
  });
}
