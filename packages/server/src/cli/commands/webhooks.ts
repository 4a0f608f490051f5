import { type Command, InvalidArgumentError } from 'commander';
import { PERSONA_API_VERSION } from '../../persona-api/client.js';
import {
  createWebhook,
  listWebhooks,
  rotateWebhookSecret,
  setWebhookEnabled,
  type Webhook,
} from '../../persona-api/webhooks-api.js';
import { countByFamily } from '../../policy-events/event-families.js';
import { API_URL_OPTION, apiClientFor } from '../api-client.js';
import { POLICY_OPTION, policyEventsFor } from '../policy-flag.js';
import { printJson } from '../with-store.js';
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

  webhooks
    .command('create')
    .description(
      'Create a webhook for your receiver URL, subscribed to every event the KYC policy reads (inquiries, accounts, cases, transactions, and the runs of every report type it does not declare informational).',
    )
    .requiredOption(
      '--url <url>',
      'the public URL of the receiver, e.g. https://example.com/webhooks/persona',
    )
    .option(
      '--events <names>',
      'comma-separated event names or * (default: every event the KYC policy reads, from --policy)',
    )
    .option(...POLICY_OPTION)
    .option(
      '--api-version <date>',
      `API version the payloads follow (default ${PERSONA_API_VERSION}, the one recovery reads the API with)`,
    )
    .option('--key-inflection <kebab|camel|snake>', 'key casing of the payloads (default kebab)')
    .option(...API_URL_OPTION)
    .action(
      async (
        flags: ApiFlags & {
          url: string;
          events?: string;
          policy?: string;
          apiVersion?: string;
          keyInflection?: string;
        },
      ) => {
        if (!/^https?:\/\/./.test(flags.url)) throw new InvalidArgumentError('--url must be an http(s) URL');
        const inflection = flags.keyInflection;
        if (
          inflection !== undefined &&
          inflection !== 'kebab' &&
          inflection !== 'camel' &&
          inflection !== 'snake'
        ) {
          throw new InvalidArgumentError('--key-inflection must be kebab, camel or snake');
        }
        const events = flags.events
          ? flags.events
              .split(',')
              .map((e) => e.trim())
              .filter(Boolean)
          : policyEventsFor(flags.policy);
        const webhook = await createWebhook(apiClientFor(flags, PURPOSE), {
          url: flags.url,
          enabledEvents: events,
          // The client's version by default: deliveries and recovered events then have one shape.
          apiVersion: flags.apiVersion ?? PERSONA_API_VERSION,
          ...(inflection ? { keyInflection: inflection } : {}),
        });
        const secret = webhook.secrets[0]?.value;
        process.stdout.write(
          [
            `Created webhook ${webhook.id} (${webhook.status}) → ${webhook.url}`,
            `Events: ${enabledSummary(webhook.enabledEvents, flags.events === undefined)}`,
            '',
            secret
              ? `Its signing secret — shown once here; give it to the service that receives ${webhook.url}:\n\n  PERSONA_WEBHOOK_SECRET=${secret}\n`
              : 'Persona returned no secret: copy it from Persona Dashboard → Webhooks.',
            `Then restart the service and check the whole chain: persona-webhooks doctor --url ${webhook.url}`,
            '',
          ].join('\n'),
        );
      },
    );

  registerWebhooksSubscribeCommand(webhooks, PURPOSE);

  webhooks
    .command('rotate-secret')
    .description('Give a webhook a new secret; Persona signs with both until the old one expires.')
    .argument('<webhook-id>', 'wbh_…')
    .option('--expires-in <seconds>', 'how long the old secret keeps working', '7200')
    .option(...API_URL_OPTION)
    .action(async (id: string, flags: ApiFlags & { expiresIn: string }) => {
      const expiresIn = Number(flags.expiresIn);
      if (!Number.isInteger(expiresIn) || expiresIn < 0) {
        throw new InvalidArgumentError('--expires-in must be a whole number of seconds');
      }
      const webhook = await rotateWebhookSecret(apiClientFor(flags, PURPOSE), id, expiresIn);
      const now = Date.now();
      const current = webhook.secrets.find((secret) => secret.expiresAt === null) ?? webhook.secrets[0];
      const old = webhook.secrets.filter(
        (s) => s !== current && s.expiresAt !== null && Date.parse(s.expiresAt) > now,
      );
      if (!current)
        throw new Error(`Persona returned no secret for ${id}; see Persona Dashboard → Webhooks.`);
      const expiry = old
        .map((s) => s.expiresAt!)
        .sort()
        .at(-1);
      const lines = [`Rotated the secret of ${webhook.id}. New secret: ${current.value}`, ''];
      if (old.length > 0 && expiry) {
        lines.push(
          `Persona now signs every delivery with both the new and the old secret until ${expiry} (${humanDuration(Date.parse(expiry) - now)} from now).`,
          'Deploy this to the service now, before the old secret expires:',
          '',
          `  PERSONA_WEBHOOK_SECRET=${[current.value, ...old.map((s) => s.value)].join(',')}`,
          '',
          `After ${expiry}, drop the old one: PERSONA_WEBHOOK_SECRET=${current.value}`,
        );
      } else {
        lines.push(
          'The old secret stopped working at once (--expires-in 0): deliveries are refused until you deploy',
          '',
          `  PERSONA_WEBHOOK_SECRET=${current.value}`,
          '',
          'Events refused meanwhile are retried by Persona, and recovered by reconciliation or `persona-webhooks backfill`.',
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });

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

/** What `create` subscribed to: the policy's events by family (they are over a hundred), or the names given. */
function enabledSummary(events: readonly string[], fromPolicy: boolean): string {
  if (events.includes('*')) return 'all (*)';
  const families = `${events.length} — ${countByFamily(events)}`;
  if (fromPolicy) return `${families}: every event the KYC policy reads (webhooks list --json names them)`;
  return events.length <= 12 ? events.join(', ') : families;
}

/** The enabled events, counted by family when there are many (the policy's are over a hundred). */
function eventList(events: readonly string[]): string {
  if (events.length === 0) return '(none)';
  if (events.length <= 12) return events.join(', ');
  return `${events.length} — ${countByFamily(events)} (--json lists them)`;
}

function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  return `${hours} h`;
}
