import type { Command } from 'commander';
import { listWebhooks, setWebhookEnabled, type Webhook } from '../../persona-api/webhooks-api.js';
import { countByFamily } from '../../policy-events/event-families.js';
import { API_URL_OPTION, apiClientFor } from '../api-client.js';
import { printJson } from '../with-store.js';
import { registerWebhooksCreateCommand } from './webhooks-create.js';
import { registerWebhooksRotateSecretCommand } from './webhooks-rotate-secret.js';
import { registerWebhooksSubscribeCommand } from './webhooks-subscribe.js';

interface ApiFlags {
  apiUrl?: string;
}

const PURPOSE = 'to manage webhooks';

export function registerWebhooksCommands(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description(
      "Manage Persona webhooks through Persona's API: list, create, subscribe to the policy's events, rotate the secret, enable, disable.",
    );
  registerListCommand(webhooks);
  registerWebhooksCreateCommand(webhooks, PURPOSE);
  registerWebhooksSubscribeCommand(webhooks, PURPOSE);
  registerWebhooksRotateSecretCommand(webhooks, PURPOSE);
  registerEnableCommands(webhooks);
}

function registerListCommand(webhooks: Command): void {
  webhooks
    .command('list')
    .description('List the environment’s webhooks (secrets are not shown; --show-secrets shows them).')
    .option('--json', 'print JSON')
    .option('--show-secrets', 'print each webhook’s live secrets')
    .option(...API_URL_OPTION)
    .action(async (flags: ApiFlags & { json?: boolean; showSecrets?: boolean }) => {
      const list = await listWebhooks(apiClientFor(flags, PURPOSE));
      const view = list.map((webhook) => describe(webhook, flags.showSecrets === true));
      if (flags.json) return printJson(view);
      if (view.length === 0)
        return void process.stdout.write(
          'no webhooks — create one: persona-webhooks webhooks create --url <url>\n',
        );
      for (const webhook of list) process.stdout.write(`${summary(webhook, flags.showSecrets === true)}\n`);
    });
}

/** `enable` and `disable`, in that order. */
function registerEnableCommands(webhooks: Command): void {
  for (const enabled of [true, false]) {
    webhooks
      .command(enabled ? 'enable' : 'disable')
      .description(enabled ? 'Enable a webhook.' : 'Disable a webhook (Persona cancels its pending retries).')
      .argument('<webhook-id>', 'wbh_…')
      .option(...API_URL_OPTION)
      .action(async (id: string, flags: ApiFlags) => {
        const webhook = await setWebhookEnabled(apiClientFor(flags, PURPOSE), id, enabled);
        process.stdout.write(`${webhook.id} is ${webhook.status} → ${webhook.url}\n`);
        if (!enabled) {
          process.stdout.write(
            'Persona sends it nothing now and has canceled its pending retries. Events created meanwhile are recovered by the service’s reconciliation (PERSONA_API_KEY) or by `persona-webhooks backfill --since <when>`.\n',
          );
        }
      });
  }
}

function describe(webhook: Webhook, showSecrets: boolean) {
  const { secrets, ...rest } = webhook;
  return showSecrets ? webhook : { ...rest, secrets: secrets.map((s) => ({ expiresAt: s.expiresAt })) };
}

function summary(webhook: Webhook, showSecrets: boolean): string {
  const rotating = webhook.secrets.filter(
    (s) => s.expiresAt !== null && Date.parse(s.expiresAt) > Date.now(),
  );
  const lines = [
    `${webhook.id}  ${webhook.status.padEnd(8)}  ${webhook.url}`,
    `  events: ${eventList(webhook.enabledEvents)}`,
    `  api-version ${webhook.apiVersion ?? '-'}, key inflection ${webhook.keyInflection ?? '-'}${rotating.length ? `, rotating: old secret expires ${rotating.map((s) => s.expiresAt).join(', ')}` : ''}`,
  ];
  if (showSecrets) {
    for (const secret of webhook.secrets)
      lines.push(`  secret ${secret.value}${secret.expiresAt ? ` (expires ${secret.expiresAt})` : ''}`);
  }
  return lines.join('\n');
}

/** The enabled events, counted by family when there are many (the policy's are over a hundred). */
function eventList(events: readonly string[]): string {
  if (events.length === 0) return '(none)';
  if (events.length <= 12) return events.join(', ');
  return `${events.length} — ${countByFamily(events)} (--json lists them)`;
}
