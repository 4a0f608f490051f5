/**
 * What an app token is: `pwa_` and 32 random bytes in base64url, recognisable in a config file or a
 * secret scanner, and only ever stored as its SHA-256. A plain hash is right here (no salt, no slow
 * KDF): the token has 256 bits of entropy, so there is nothing to brute-force, and an unsalted hash lets
 * a request's token be found by an index lookup instead of comparing against every stored token.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Every app token starts with this. */
export const APP_TOKEN_PREFIX = 'pwa_';

/** `pwa_` plus 32 bytes in unpadded base64url (43 characters). */
const APP_TOKEN_SHAPE = /^pwa_[A-Za-z0-9_-]{43}$/;

/** A freshly made token: `token` is shown once and never stored. */
export interface GeneratedAppToken {
  /** `apt_…`, the public handle the CLI lists and revokes by. */
  id: string;
  token: string;
  tokenHash: string;
}

/**
 * Makes a new token and its id.
 *
 * @example
 * const { id, token, tokenHash } = generateAppToken();
 * await store.createAppToken({ id, name: 'backend', tokenHash, createdAtMs: Date.now() });
 */
export function generateAppToken(): GeneratedAppToken {
  const token = `${APP_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { id: `apt_${randomBytes(9).toString('base64url')}`, token, tokenHash: hashAppToken(token) };
}

/** The hex SHA-256 the store keeps and looks tokens up by. */
export function hashAppToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** True for a string shaped like an app token (whether or not it exists). */
export function looksLikeAppToken(value: string): boolean {
  return APP_TOKEN_SHAPE.test(value);
}
