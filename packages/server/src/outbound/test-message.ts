/**
 * `endpoints test` and `POST /api/endpoints/:id/test`: one signed Standard Webhooks message of type
 * `webhook.test` sent now to an endpoint, through the same destination checks as every delivery, and
 * its outcome shown at once. It is not stored in the outbox: nothing retries it and the application's
 * `kyc.decision_changed` handling is not involved (an app should answer 2xx to types it ignores).
 */
import { randomBytes } from 'node:crypto';
import { type AppEndpoint, type DeliveryResult, postStandardWebhook } from 'persona-webhooks';
import type { DestinationPolicy } from './destination-policy.js';
import { createGuardedFetch } from './guarded-connect.js';
import type { Resolve } from './self-target.js';

/** The test message's outcome and its `webhook-id`. */
export type TestMessageResult = DeliveryResult & { id: string };

/**
 * @example
 * const result = await sendTestMessage(endpoint, { policy, servicePort: 3000, timeoutMs: 10_000 });
 */
export async function sendTestMessage(
  endpoint: AppEndpoint,
  options: { policy: DestinationPolicy; servicePort: number; timeoutMs: number; resolve?: Resolve },
): Promise<TestMessageResult> {
  const nowMs = Date.now();
  const id = `msg_test_${randomBytes(12).toString('base64url')}`;
  const payload = JSON.stringify({
    type: 'webhook.test',
    timestamp: new Date(nowMs).toISOString(),
    data: { endpointId: endpoint.id, note: 'A test message from persona-webhooks: answer 2xx.' },
  });
  const guarded = createGuardedFetch({
    policy: options.policy,
    servicePort: () => options.servicePort,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  try {
    const secrets = endpoint.secrets
      .filter((s) => (s.expiresAtMs === null || s.expiresAtMs > nowMs) && s.secret.startsWith('whsec_'))
      .map((s) => s.secret);
    const result = await postStandardWebhook({
      url: endpoint.url,
      id,
      payload,
      secrets,
      timeoutMs: options.timeoutMs,
      fetch: guarded.fetch,
    });
    return { ...result, id };
  } finally {
    await guarded.close();
  }
}
