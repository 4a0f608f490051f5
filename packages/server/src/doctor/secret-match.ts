/**
 * Compares configured secrets with a webhook's, in constant time and without printing either: each side
 * is hashed first, so lengths never differ and nothing about a secret leaks through timing or output.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { WebhookSecret } from '../persona-api/webhooks-api.js';

export type SecretMatch =
  /** A configured secret is the webhook's current one. */
  | { kind: 'current' }
  /** A configured secret is an old one still valid until `expiresAt` (a rotation in progress). */
  | { kind: 'expiring'; expiresAt: string }
  /** A configured secret was the webhook's, but has expired. */
  | { kind: 'expired'; expiresAt: string }
  | { kind: 'none' };

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** How the configured secrets relate to the webhook's secrets at `nowMs`. */
export function matchSecrets(
  configured: readonly string[],
  webhookSecrets: readonly WebhookSecret[],
  nowMs: number,
): SecretMatch {
  let best: SecretMatch = { kind: 'none' };
  for (const secret of webhookSecrets) {
    if (!configured.some((candidate) => same(candidate, secret.value))) continue;
    if (secret.expiresAt === null) return { kind: 'current' };
    const expired = Date.parse(secret.expiresAt) <= nowMs;
    if (!expired) best = { kind: 'expiring', expiresAt: secret.expiresAt };
    else if (best.kind === 'none') best = { kind: 'expired', expiresAt: secret.expiresAt };
  }
  return best;
}

/** The secrets Persona signs with now: the current one and any not yet expired. */
export function liveWebhookSecrets(secrets: readonly WebhookSecret[], nowMs: number): string[] {
  return secrets
    .filter((secret) => secret.expiresAt === null || Date.parse(secret.expiresAt) > nowMs)
    .map((secret) => secret.value);
}
