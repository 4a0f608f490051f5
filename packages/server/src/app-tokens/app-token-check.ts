/**
 * Checks an app token offered in a request against the store: it must exist and not be revoked. The
 * lookup is by hash, so a wrong token costs one indexed read and reveals nothing through timing. Each
 * check reads the store, so a revocation by the CLI (on any instance) takes effect on the next request.
 */
import type { Logger } from '../server/observability/logger.js';
import type { AppTokenStore } from '../service-state/app-tokens.js';
import { hashAppToken, looksLikeAppToken } from './app-token.js';

/** How often a token's "last used" time is written: at most once a minute per token and instance. */
const TOUCH_INTERVAL_MS = 60_000;

/** Verifies app tokens for the admin auth. */
export interface AppTokenCheck {
  /**
   * `valid` for a live app token (its use recorded, throttled, never failing the request); `revoked`
   * (with its id, so the 401 can say which and what to do); `unknown` for anything else.
   */
  verify(token: string, nowMs: number): Promise<AppTokenVerdict>;
}

export type AppTokenVerdict = { state: 'valid' } | { state: 'revoked'; id: string } | { state: 'unknown' };

/** @example const appTokens = createAppTokenCheck(store, logger); await appTokens.verify(bearer, Date.now()); */
export function createAppTokenCheck(
  store: Pick<AppTokenStore, 'findAppToken' | 'touchAppToken'>,
  logger: Logger,
): AppTokenCheck {
  const touchedAtMs = new Map<string, number>();
  return {
    async verify(token, nowMs) {
      if (!looksLikeAppToken(token)) return { state: 'unknown' };
      const found = await store.findAppToken(hashAppToken(token));
      if (!found) return { state: 'unknown' };
      if (found.revokedAtMs !== null) return { state: 'revoked', id: found.id };
      const last = touchedAtMs.get(found.id) ?? found.lastUsedAtMs ?? Number.NEGATIVE_INFINITY;
      if (nowMs - last >= TOUCH_INTERVAL_MS) {
        touchedAtMs.set(found.id, nowMs);
        // A read must not fail because the bookkeeping write did (a busy SQLite file, say).
        store.touchAppToken(found.id, nowMs).catch((error: unknown) => {
          logger.warn(
            { tokenId: found.id, code: (error as { code?: string }).code },
            'app token use not recorded',
          );
        });
      }
      return { state: 'valid' };
    },
  };
}
