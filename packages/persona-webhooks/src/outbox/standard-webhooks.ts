/**
 * Signing in the Standard Webhooks format (standardwebhooks.com), so the receiving application can
 * verify each message with the official library of its language: `webhook-id`, `webhook-timestamp`
 * (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256>` over `id.timestamp.body`, keyed with
 * the base64 part of a `whsec_` secret. During a rotation every secret still valid signs, and the
 * signatures are space-separated in one header.
 */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** The headers one delivery attempt carries. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * A new endpoint secret: `whsec_` and 32 random bytes in base64.
 *
 * @example
 * const secret = generateEndpointSecret(); // 'whsec_…'
 */
export function generateEndpointSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** Whether `secret` is a `whsec_` secret whose key decodes to at least 16 bytes. */
export function isEndpointSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const key = secret.slice(SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 16;
}

/**
 * Signs one attempt. Throws `TypeError` for a secret that is not a `whsec_` secret.
 *
 * @example
 * const headers = signStandardWebhook({ id: 'msg_1', timestampSeconds: 1700000000, body, secrets: [secret] });
 */
export function signStandardWebhook(options: {
  id: string;
  timestampSeconds: number;
  body: string;
  secrets: readonly string[];
}): StandardWebhookHeaders {
  if (options.secrets.length === 0) throw new TypeError('signStandardWebhook needs at least one secret');
  const content = `${options.id}.${options.timestampSeconds}.${options.body}`;
  const signatures = options.secrets.map((secret) => {
    if (!isEndpointSecret(secret)) throw new TypeError('an endpoint secret must be a whsec_ secret');
    const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
    return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
  });
  return {
    'webhook-id': options.id,
    'webhook-timestamp': String(options.timestampSeconds),
    'webhook-signature': signatures.join(' '),
  };
}
