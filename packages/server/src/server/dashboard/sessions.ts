import { randomBytes } from 'node:crypto';
import type { SessionRevocationStore } from '../../service-state/session-revocations.js';

/** A signed-in browser: a random id and when it stops being valid. */
export interface Session {
  id: string;
  expiresAtMs: number;
}

/** How long this instance trusts a "not signed out" answer before asking the store again. */
export const REVOCATION_RECHECK_MS = 5_000;
/** Sessions whose answer is remembered; beyond that the oldest is forgotten (asked again when next seen). */
const CACHE_LIMIT = 1_000;

/**
 * Dashboard sessions. The cookie carries `<id>.<expiresAtMs>` and is signed (by `@fastify/cookie` with
 * the key of `session-key.ts`), so reading one needs no lookup beyond this: whether its id was signed
 * out. Sign-out is written to the database (`service_session_revocations`), so it holds after a restart
 * and on every instance sharing the database.
 *
 * Cheap per request: answers are cached per session id. "Signed out" is final and cached until the
 * session would expire; "not signed out" is re-checked after `REVOCATION_RECHECK_MS`, so a sign-out on
 * another instance takes effect here within that time (on the instance that signed out, at once).
 */
export class SessionBook {
  readonly #ttlMs: number;
  readonly #store: SessionRevocationStore;
  /** Session id → whether it is revoked and until when that answer holds. Insertion order = age. */
  readonly #cache = new Map<string, { revoked: boolean; untilMs: number }>();

  constructor(ttlMs: number, store: SessionRevocationStore) {
    this.#ttlMs = ttlMs;
    this.#store = store;
  }

  /** A new session starting at `nowMs`, and the cookie value (to be signed) that carries it. */
  open(nowMs: number): { session: Session; value: string } {
    const session = { id: randomBytes(18).toString('base64url'), expiresAtMs: nowMs + this.#ttlMs };
    return { session, value: `${session.id}.${session.expiresAtMs}` };
  }

  /** The session an already signature-checked cookie value names, or null when expired or signed out. */
  async read(value: string, nowMs: number): Promise<Session | null> {
    const match = /^([A-Za-z0-9_-]{24})\.(\d{13,15})$/.exec(value);
    if (!match) return null;
    const session = { id: match[1]!, expiresAtMs: Number(match[2]) };
    if (session.expiresAtMs <= nowMs) return null;
    return (await this.#revoked(session, nowMs)) ? null : session;
  }

  /** Ends a session before its expiry, for every instance on the store. */
  async revoke(session: Session, nowMs: number): Promise<void> {
    await this.#store.revokeSession(session.id, session.expiresAtMs, nowMs);
    this.#remember(session.id, true, session.expiresAtMs);
  }

  async #revoked(session: Session, nowMs: number): Promise<boolean> {
    const known = this.#cache.get(session.id);
    if (known && known.untilMs > nowMs) return known.revoked;
    const revoked = await this.#store.isSessionRevoked(session.id);
    this.#remember(session.id, revoked, revoked ? session.expiresAtMs : nowMs + REVOCATION_RECHECK_MS);
    return revoked;
  }

  #remember(id: string, revoked: boolean, untilMs: number): void {
    this.#cache.delete(id);
    this.#cache.set(id, { revoked, untilMs });
    if (this.#cache.size > CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
