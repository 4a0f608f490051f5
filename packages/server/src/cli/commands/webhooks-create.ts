/**
 * `persona-webhooks webhooks create --url <url>`: creates a webhook subscribed to every event the KYC
 * policy reads (or the events given), and prints its secret once, with what to do with it.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { PERSONA_API_VERSION } from '../../persona-api/client.js';
import { createWebhook } from '../../persona-api/webhooks-api.js';
import { countByFamily } from '../../policy-events/event-families.js';
import { API_URL_OPTION, apiClientFor } from '../api-client.js';
import { POLICY_OPTION, policyEventsFor } from '../policy-flag.js';

interface CreateFlags {
  apiUrl?: string;
  url: string;
  events?: string;
  policy?: string;
  apiVersion?: string;
  keyInflection?: string;
}

export function registerWebhooksCreateCommand(webhooks: Command, purpose: string): void {
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
    .action((flags: CreateFlags) => create(flags, purpose));
}

async function create(flags: CreateFlags, purpose: string): Promise<void> {
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
  const webhook = await createWebhook(apiClientFor(flags, purpose), {
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
}

/** What `create` subscribed to: the policy's events by family (they are over a hundred), or the names given. */
function enabledSummary(events: readonly string[], fromPolicy: boolean): string {
  if (events.includes('*')) return 'all (*)';
  const families = `${events.length} — ${countByFamily(events)}`;
  if (fromPolicy) return `${families}: every event the KYC policy reads (webhooks list --json names them)`;
  return events.length <= 12 ? events.join(', ') : families;
}
