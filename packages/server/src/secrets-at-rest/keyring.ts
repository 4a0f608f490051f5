/**
 * Encryption of endpoint signing secrets at rest: AES-256-GCM (node:crypto) under keys from
 * PERSONA_WEBHOOKS_SECRETS_KEYS, `kid:base64-of-32-bytes` comma-separated. The first key seals, every
 * listed key opens, so a key is rotated by putting the new one first and keeping the old one listed
 * until the service has started once (it re-seals everything under the first key at start).
 *
 * A sealed secret is the text `pwenc:v1:<kid>:<iv>:<ciphertext+tag>` (base64url), stored where the
 * library keeps the `whsec_…` value: the library stores it as an opaque string. The endpoint id is the
 * additional authenticated data, so a sealed secret copied onto another endpoint does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../server/config/config-error.js';

export const SECRETS_KEYS_SETTING = 'PERSONA_WEBHOOKS_SECRETS_KEYS';
const PREFIX = 'pwenc:v1:';
const KEY_HINT = `${SECRETS_KEYS_SETTING} must be kid:key pairs, comma-separated, each key 32 random bytes in base64 (e.g. k1:$(openssl rand -base64 32)); the first one encrypts`;

/** The keys, first one sealing. Empty: secrets are stored as given (in clear). */
export interface Keyring {
  readonly keys: ReadonlyArray<{ readonly id: string; readonly key: Buffer }>;
}

export const NO_KEYS: Keyring = Object.freeze({ keys: Object.freeze([]) });

/** Parses PERSONA_WEBHOOKS_SECRETS_KEYS; throws a ConfigError naming the setting (never a key). */
export function parseKeyring(raw: string | undefined): Keyring {
  if (raw === undefined || raw.trim() === '') return NO_KEYS;
  const keys = raw.split(',').map((entry, index) => {
    const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(entry.trim());
    const key = match ? Buffer.from(match[2]!, 'base64') : null;
    if (!match || key?.length !== 32) {
      throw new ConfigError(`${KEY_HINT}: entry ${index + 1} is not`);
    }
    return { id: match[1]!, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError(`${SECRETS_KEYS_SETTING} lists a key id twice: give each key its own id`);
  }
  return Object.freeze({ keys: Object.freeze(keys) });
}

/** Whether a stored secret is sealed (else it is a `whsec_…` in clear). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** The id of the key that sealed `stored`, or null for a secret in clear. */
export function sealedWith(stored: string): string | null {
  return isSealed(stored) ? (stored.slice(PREFIX.length).split(':')[0] ?? null) : null;
}

/** Seals `secret` for endpoint `endpointId` under the first key; a keyring without keys returns it as is. */
export function seal(keyring: Keyring, endpointId: string, secret: string): string {
  const first = keyring.keys[0];
  if (!first || isSealed(secret)) return secret;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', first.key, iv);
  cipher.setAAD(Buffer.from(endpointId));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}${first.id}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
}

/** Opens a stored secret; a secret in clear is returned as is; null when no listed key opens it. */
export function open(keyring: Keyring, endpointId: string, stored: string): string | null {
  if (!isSealed(stored)) return stored;
  const [kid, ivText, sealedText] = stored.slice(PREFIX.length).split(':');
  const key = keyring.keys.find((k) => k.id === kid)?.key;
  if (!key || !ivText || !sealedText) return null;
  try {
    const sealed = Buffer.from(sealedText, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
    decipher.setAAD(Buffer.from(endpointId));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    // Wrong key under a reused id, or a tampered value: it does not open.
    return null;
  }
}
