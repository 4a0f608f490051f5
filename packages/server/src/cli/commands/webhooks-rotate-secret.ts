/**
 * `persona-webhooks webhooks rotate-secret <id>`: gives a webhook a new secret and prints the
 * PERSONA_WEBHOOK_SECRET to deploy while Persona signs with both, and the one to keep afterwards.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { rotateWebhookSecret } from '../../persona-api/webhooks-api.js';
import { API_URL_OPTION, apiClientFor } from '../api-client.js';

export function registerWebhooksRotateSecretCommand(webhooks: Command, purpose: string): void {
  webhooks
    .command('rotate-secret')
    .description('Give a webhook a new secret; Persona signs with both until the old one expires.')
    .argument('<webhook-id>', 'wbh_…')
    .option('--expires-in <seconds>', 'how long the old secret keeps working', '7200')
    .option(...API_URL_OPTION)
    .action(async (id: string, flags: { apiUrl?: string; expiresIn: string }) => {
      const expiresIn = Number(flags.expiresIn);
      if (!Number.isInteger(expiresIn) || expiresIn < 0) {
        throw new InvalidArgumentError('--expires-in must be a whole number of seconds');
      }
      const webhook = await rotateWebhookSecret(apiClientFor(flags, purpose), id, expiresIn);
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
}

function humanDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.round(minutes / 6) / 10;
  return `${hours} h`;
}
