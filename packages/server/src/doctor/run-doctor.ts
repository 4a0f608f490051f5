/**
 * `persona-webhooks doctor`: reads the webhook's configuration through Persona's API and runs every
 * check in order. A failing API call fails its own check and skips the ones that need its answer; the
 * ping needs no API and always runs when a URL is given.
 */
import { PersonaApiError } from '../persona-api/api-errors.js';
import type { PersonaApiClient } from '../persona-api/client.js';
import {
  listWebhooks,
  searchWebhookDeliveries,
  type Webhook,
  type WebhookDelivery,
} from '../persona-api/webhooks-api.js';
import {
  type CheckId,
  type CheckResult,
  checkDeliveries,
  checkEnabled,
  checkEvents,
  checkPing,
  checkSecret,
  checkVersion,
  findWebhook,
} from './checks.js';
import type { InboxAnswer, StoredEventLookup } from './recovered-events.js';
import { liveWebhookSecrets } from './secret-match.js';
import { sendPing } from './send-ping.js';

export interface DoctorInput {
  client: PersonaApiClient;
  /** The public URL Persona should call; without it the only webhook is checked and no ping is sent. */
  url?: string;
  /** The events the service's KYC policy reads (`kycPolicyEvents`): the webhook must send each. */
  requiredEvents: readonly string[];
  /** PERSONA_WEBHOOK_SECRET, split. */
  secrets: readonly string[];
  /** How long the ping waits for an answer. */
  pingTimeoutMs: number;
  /** Failed deliveries are looked for from this time on. */
  deliveriesSince: Date;
  /**
   * Looks the failed deliveries' events up in this receiver's store, to say which reconciliation has
   * recovered already; absent: not looked for. A lookup that throws is reported, not fatal.
   */
  findStoredEvents?: StoredEventLookup;
  now?: () => number;
}

/** Every check's result, in a fixed order. */
export async function runDoctor(input: DoctorInput): Promise<CheckResult[]> {
  const now = input.now ?? Date.now;
  const results: CheckResult[] = [];
  const skip = (ids: CheckId[], why: string) => {
    for (const id of ids) results.push({ id, status: 'skipped', detail: why });
  };
  const webhookChecks: CheckId[] = ['webhook', 'enabled', 'events', 'secret', 'version', 'deliveries'];

  let webhooks: Webhook[] | null = null;
  try {
    webhooks = await listWebhooks(input.client);
    results.push({
      id: 'api-key',
      status: 'passed',
      detail: `PERSONA_API_KEY reads this environment's webhooks (${webhooks.length}) at ${input.client.baseUrl.href}`,
    });
  } catch (error) {
    results.push({ id: 'api-key', status: 'failed', detail: messageOf(error) });
    skip(webhookChecks, 'needs the API');
  }

  let webhook: Webhook | null = null;
  if (webhooks) {
    const found = findWebhook(webhooks, input.url);
    results.push(found.check);
    webhook = found.webhook;
    if (!webhook) skip(webhookChecks.slice(1), 'no webhook to check');
  }

  if (webhook) {
    results.push(
      checkEnabled(webhook),
      checkEvents(webhook, input.requiredEvents),
      checkSecret(webhook, input.secrets, now()),
    );
    results.push(checkVersion(webhook));
    results.push(await deliveriesCheck(input, webhook));
  }

  if (input.url === undefined) {
    skip(['ping'], 'pass --url to send a signed ping to the receiver');
  } else {
    // Signed as Persona signs now (with every live secret) when the API told us; else with ours.
    const apiSecrets = webhook ? liveWebhookSecrets(webhook.secrets, now()) : [];
    const secrets = apiSecrets.length > 0 ? apiSecrets : input.secrets;
    if (secrets.length === 0) skip(['ping'], 'no secret to sign it with (set PERSONA_WEBHOOK_SECRET)');
    else results.push(checkPing(input.url, await sendPing(input.url, secrets, input.pingTimeoutMs)));
  }
  return results;
}

async function deliveriesCheck(input: DoctorInput, webhook: Webhook): Promise<CheckResult> {
  const since = input.deliveriesSince.toISOString();
  try {
    const failed = await searchWebhookDeliveries(input.client, {
      webhookId: webhook.id,
      status: 'failed',
      updatedSince: since,
    });
    const completed =
      failed.deliveries.length === 0
        ? null
        : ((
            await searchWebhookDeliveries(input.client, {
              webhookId: webhook.id,
              status: 'completed',
              updatedSince: since,
              limit: 1,
            })
          ).deliveries[0] ?? null);
    return checkDeliveries(webhook, failed, completed, since, await askInbox(input, failed.deliveries));
  } catch (error) {
    return { id: 'deliveries', status: 'failed', detail: messageOf(error) };
  }
}

async function askInbox(
  input: DoctorInput,
  deliveries: readonly WebhookDelivery[],
): Promise<InboxAnswer | undefined> {
  if (!input.findStoredEvents || deliveries.length === 0) return undefined;
  const ids = deliveries.map((d) => d.eventId).filter((id): id is string => id !== null);
  try {
    return { found: await input.findStoredEvents(ids) };
  } catch (error) {
    // The store's own messages name the file or say "run migrate"; never data.
    return { unavailable: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

function messageOf(error: unknown): string {
  if (error instanceof PersonaApiError) return error.message;
  throw error;
}
