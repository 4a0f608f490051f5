/**
 * `persona-webhooks webhooks subscribe <id>`: adds to an existing webhook the events the KYC policy reads
 * that it lacks (what `doctor` fails on), keeping the events it has and its secret, so nothing has to be
 * redeployed.
 */
import type { Command } from 'commander';
import { missingPolicyEvents } from 'persona-webhooks';
import { getWebhook, setWebhookEvents } from '../../persona-api/webhooks-api.js';
import { summarizeMissing } from '../../policy-events/event-families.js';
import { API_URL_OPTION, apiClientFor } from '../api-client.js';
import { POLICY_OPTION, policyEventsFor } from '../policy-flag.js';

export function registerWebhooksSubscribeCommand(webhooks: Command, purpose: string): void {
  webhooks
    .command('subscribe')
    .description(
      'Add to a webhook every event the KYC policy reads that it does not send yet; its other events and its secret stay.',
    )
    .argument('<webhook-id>', 'wbh_…')
    .option(...POLICY_OPTION)
    .option(...API_URL_OPTION)
    .action(async (id: string, flags: { policy?: string; apiUrl?: string }) => {
      const required = policyEventsFor(flags.policy);
      const client = apiClientFor(flags, purpose);
      const webhook = await getWebhook(client, id);
      const missing = missingPolicyEvents(webhook.enabledEvents, required);
      if (missing.length === 0) {
        process.stdout.write(`${webhook.id} already sends every event the KYC policy reads.\n`);
        return;
      }
      const updated = await setWebhookEvents(client, webhook.id, [...webhook.enabledEvents, ...missing]);
      process.stdout.write(
        [
          `Subscribed ${updated.id} to ${missing.length} more event${missing.length === 1 ? '' : 's'}: ${summarizeMissing(missing, required).join(', ')}.`,
          `It now sends ${updated.enabledEvents.length} events; its secret is unchanged.`,
          `Check the whole chain: persona-webhooks doctor --url ${updated.url}`,
          '',
        ].join('\n'),
      );
    });
}
