/**
 * Who may use the admin API and the dashboard: a bearer `ADMIN_TOKEN` (scripts) or the signed session
 * cookie the dashboard's sign-in form exchanges the token for (browsers); and, on the routes declared
 * `auth: 'app'` only, an application's read-only app token (`pwa_…`). Wrong tokens are counted per
 * client address (as far as TRUST_PROXY lets us know it, `trust-proxy.ts`) and in total; past either
 * limit further wrong tokens get 429 instead of 401. The right token always passes: counting only
 * failures, and checking the token before the count, means no one can lock the operator out by
 * guessing from the operator's address. Tokens are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppTokenCheck } from '../../app-tokens/app-token-check.js';
import { changesState, comesFromOwnOrigin } from '../dashboard/origin.js';
import type { Session, SessionBook } from '../dashboard/sessions.js';
import {
  AppTokenForbiddenError,
  ForbiddenOriginError,
  RevokedAppTokenError,
  TooManyAttemptsError,
  UnauthorizedError,
} from '../http/http-errors.js';
import { limitAddress, type TrustProxySetting } from '../http/trust-proxy.js';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'persona_webhooks_session';

/** Wrong tokens (or forged cookies) one client address may present per window before it gets 429s. */
export const MAX_FAILED_ATTEMPTS = 10;
/**
 * Wrong tokens from all clients together per window: bounds guessing from many addresses (or a spoofed
 * one per request) and the warnings it writes to the log.
 */
export const MAX_FAILED_ATTEMPTS_TOTAL = 100;
export const FAILED_ATTEMPTS_WINDOW_MS = 5 * 60 * 1000;

export interface AdminAuth {
  /** `onRequest` hook of /api/*: a valid bearer token, or a live session cookie (plus the origin check for writes). */
  authenticate(request: FastifyRequest): Promise<void>;
  /** Checks a token offered at sign-in; a wrong one counts against the client like a wrong bearer token. */
  verifyToken(request: FastifyRequest, token: string): Promise<void>;
  /** The live session this request's cookie carries, or null (no cookie, bad signature, expired, signed out). */
  sessionOf(request: FastifyRequest): Promise<Session | null>;
}

/**
 * Needs `@fastify/cookie` (signing with the session key) and `@fastify/rate-limit` registered on `app`.
 *
 * @example
 * const auth = createAdminAuth(app, { adminToken, sessions: new SessionBook(12 * 3600_000, store) });
 * api.addHook('onRequest', auth.authenticate);
 */
export function createAdminAuth(
  app: FastifyInstance,
  options: {
    adminToken: string;
    sessions: SessionBook;
    /** TRUST_PROXY, to count failures by an address the client cannot choose. Default false. */
    trustProxy?: TrustProxySetting;
    /** Checks app tokens; absent: none is accepted. */
    appTokens?: AppTokenCheck;
    now?: () => number;
  },
): AdminAuth {
  const expected = digest(options.adminToken);
  const now = options.now ?? Date.now;
  const guarded = createFailureGuard(app, options.trustProxy ?? false);

  const tokenMatches = (token: string) => timingSafeEqual(digest(token), expected);

  /** Null when there is no cookie; `forged` when its signature is wrong (counted as a failed attempt). */
  const readCookie = async (request: FastifyRequest): Promise<Session | null | 'forged'> => {
    const raw = request.cookies[SESSION_COOKIE];
    if (raw === undefined || raw === '') return null;
    const unsigned = request.unsignCookie(raw);
    if (!unsigned.valid || unsigned.value === null) return 'forged';
    return options.sessions.read(unsigned.value, now());
  };

  /** A bearer token: the admin token, or an app token on a route that takes one. */
  const checkBearer = async (request: FastifyRequest, bearer: string): Promise<void> => {
    // The admin token first (so one configured with any shape works), then the app tokens, which
    // only touch the store for a string shaped like one.
    let viaAppToken = false;
    let revokedId: string | null = null;
    const valid = async () => {
      if (tokenMatches(bearer)) return true;
      const verdict = await options.appTokens?.verify(bearer, now());
      if (verdict?.state === 'revoked') revokedId = verdict.id;
      viaAppToken = verdict?.state === 'valid';
      return viaAppToken;
    };
    if (!(await guarded(request, valid))) {
      // A revoked token is a real one its holder may not know was revoked: say so, and what to do.
      throw revokedId === null ? new UnauthorizedError() : new RevokedAppTokenError(revokedId);
    }
    if (viaAppToken && request.routeOptions.config.auth !== 'app') throw new AppTokenForbiddenError();
  };

  return {
    async authenticate(request) {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
      if (bearer !== undefined) return checkBearer(request, bearer);
      const session = await readCookie(request);
      if (session === 'forged') {
        await guarded(request, () => false);
        throw new UnauthorizedError();
      }
      // An expired or signed-out cookie is not an attack: plain 401, nothing counted.
      if (session === null) throw new UnauthorizedError();
      if (changesState(request) && !comesFromOwnOrigin(request)) throw new ForbiddenOriginError();
    },

    async verifyToken(request, token) {
      if (!(await guarded(request, () => tokenMatches(token)))) throw new UnauthorizedError();
    },

    async sessionOf(request) {
      const session = await readCookie(request);
      return session === 'forged' ? null : session;
    },
  };
}

/**
 * Returns a check that is true for a valid credential, whatever came before; a failure is counted (per
 * client and in total), and past either limit is a 429.
 */
function createFailureGuard(
  app: FastifyInstance,
  trustProxy: TrustProxySetting,
): (request: FastifyRequest, valid: () => boolean | Promise<boolean>) => Promise<boolean> {
  // Both count failures only: they are consulted after a token or cookie proved wrong.
  const perClient = app.createRateLimit({
    max: MAX_FAILED_ATTEMPTS,
    timeWindow: FAILED_ATTEMPTS_WINDOW_MS,
    ...(trustProxy === true ? { keyGenerator: (request) => limitAddress(trustProxy, request) } : {}),
  });
  const total = app.createRateLimit({
    max: MAX_FAILED_ATTEMPTS_TOTAL,
    timeWindow: FAILED_ATTEMPTS_WINDOW_MS,
    keyGenerator: () => 'all clients',
  });

  return async (request, valid) => {
    if (await valid()) return true;
    const [client, all] = await Promise.all([perClient(request), total(request)]);
    let waitSeconds = 0;
    for (const limit of [client, all]) {
      if (!limit.isAllowed && limit.isExceeded) waitSeconds = Math.max(waitSeconds, limit.ttlInSeconds);
    }
    if (waitSeconds > 0) throw new TooManyAttemptsError(waitSeconds);
    request.log.warn(
      { ip: limitAddress(trustProxy, request), route: request.routeOptions.url },
      'admin authentication failed',
    );
    return false;
  };
}

/** Both sides are hashed first, so the comparison length never depends on the input and cannot throw. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
