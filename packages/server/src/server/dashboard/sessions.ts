import { randomBytes } from 'node:crypto';

/** A signed-in browser: a random id and when it stops being valid. */
export interface Session {
  id: string;
  expiresAtMs: number;
}

/**
 * Dashboard sessions. The cookie itself carries `<id>.<expiresAtMs>` and is signed (by
 * `@fastify/cookie` with the key of `session-key.ts`), so validating needs no lookup and survives a
 * restart. Sign-out adds the id to an in-memory revocation list until it would have expired anyway;
 * that list is per process, so with several instances behind a load balancer a signed-out cookie is
 * refused by the instance that signed it out and expires everywhere else at its expiry.
 */
export class SessionBook {
  readonly #ttlMs: number;
  readonly #revoked = new Map<string, number>();

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** A new session starting at `nowMs`, and the cookie value (to be signed) that carries it. */
  open(nowMs: number): { session: Session; value: string } {
    const session = { id: randomBytes(18).toString('base64url'), expiresAtMs: nowMs + this.#ttlMs };
    return { session, value: `${session.id}.${session.expiresAtMs}` };
  }

  /** The session an already signature-checked cookie value names, or null when expired or revoked. */
  read(value: string, nowMs: number): Session | null {
    const match = /^([A-Za-z0-9_-]{24})\.(\d{13,15})$/.exec(value);
    if (!match) return null;
    const session = { id: match[1]!, expiresAtMs: Number(match[2]) };
    if (session.expiresAtMs <= nowMs || this.#revoked.has(session.id)) return null;
    return session;
  }

  /** Ends a session before its expiry. */
  revoke(session: Session, nowMs: number): void {
    this.#revoked.set(session.id, session.expiresAtMs);
    // Forget revocations whose cookie has expired by now: the list stays as small as the live sessions.
    for (const [id, expiresAtMs] of this.#revoked) if (expiresAtMs <= nowMs) this.#revoked.delete(id);
  }
}
