/**
 * The dashboard's session book over a store: sign-out is written to the store (so another book on it —
 * another instance, or this one after a restart — refuses the session), and the per-request check is
 * cached: one store read per session per REVOCATION_RECHECK_MS, "signed out" remembered until expiry.
 */
import { describe, expect, it } from 'vitest';
import { REVOCATION_RECHECK_MS, SessionBook } from '../../packages/server/src/server/dashboard/sessions.js';
import type { SessionRevocationStore } from '../../packages/server/src/service-state/session-revocations.js';

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1);

/** An in-memory revocation table that counts its reads. */
function memoryRevocations() {
  const rows = new Map<string, number>();
  let reads = 0;
  const store: SessionRevocationStore = {
    async revokeSession(id, expiresAtMs, nowMs) {
      rows.set(id, expiresAtMs);
      for (const [other, expiry] of rows) if (expiry <= nowMs) rows.delete(other);
    },
    async isSessionRevoked(id) {
      reads++;
      return rows.has(id);
    },
  };
  return { store, rows, reads: () => reads };
}

describe('SessionBook', () => {
  it('a sign-out on one book is refused by another on the same store (restart, other instance)', async () => {
    const shared = memoryRevocations();
    const first = new SessionBook(HOUR, shared.store);
    const { session, value } = first.open(T0);
    expect(await first.read(value, T0)).toEqual(session);
    await first.revoke(session, T0 + 1);
    expect(await first.read(value, T0 + 2)).toBeNull();
    const restarted = new SessionBook(HOUR, shared.store);
    expect(await restarted.read(value, T0 + 3)).toBeNull();
    expect(shared.rows.get(session.id)).toBe(session.expiresAtMs);
  });

  it('asks the store once per session per recheck interval, and learns of a remote sign-out after it', async () => {
    const shared = memoryRevocations();
    const here = new SessionBook(HOUR, shared.store);
    const elsewhere = new SessionBook(HOUR, shared.store);
    const { session, value } = here.open(T0);
    for (let i = 0; i < 100; i++) expect(await here.read(value, T0 + i)).not.toBeNull();
    expect(shared.reads()).toBe(1);
    await elsewhere.revoke(session, T0 + 200);
    expect(await here.read(value, T0 + REVOCATION_RECHECK_MS - 1)).not.toBeNull(); // still the cached answer
    expect(await here.read(value, T0 + REVOCATION_RECHECK_MS + 1)).toBeNull();
    const reads = shared.reads();
    // "Signed out" is final: not asked again.
    for (let i = 0; i < 10; i++)
      expect(await here.read(value, T0 + 10 * REVOCATION_RECHECK_MS + i)).toBeNull();
    expect(shared.reads()).toBe(reads);
  });

  it('needs no store read for a malformed or expired cookie value', async () => {
    const shared = memoryRevocations();
    const book = new SessionBook(HOUR, shared.store);
    const { value } = book.open(T0);
    expect(await book.read('garbage', T0)).toBeNull();
    expect(await book.read(value, T0 + HOUR)).toBeNull();
    expect(shared.reads()).toBe(0);
  });
});
