import { createHmac } from 'node:crypto';

/** Fixed label, so the session key is never the admin token itself nor usable as one. */
const LABEL = 'persona-webhooks admin dashboard session v1';

/**
 * The key that signs dashboard session cookies, derived from the admin token (and the optional
 * ADMIN_SESSION_SECRET). Changing either one invalidates every session at once, which is what rotating
 * a leaked token should do.
 *
 * @example
 * const key = deriveSessionKey(config.adminToken, config.sessionSecret);
 */
export function deriveSessionKey(adminToken: string, sessionSecret: string | null): string {
  return createHmac('sha256', adminToken)
    .update(LABEL)
    .update('\0')
    .update(sessionSecret ?? '')
    .digest('base64url');
}
