import { type Command, InvalidArgumentError } from 'commander';
import { PERSONA_EVENT_NAMES } from 'persona-webhooks';
import { startEmulator } from '../../emulator/emulator.js';

interface EmulateFlags {
  port: string;
  host: string;
  deliverTo?: string;
  timeScale: string;
  apiKey?: string;
  webhookSecret?: string;
  rateLimit: string;
  maxPageSize: string;
}

const number = (flag: string, value: string, min: number, max: number): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    throw new InvalidArgumentError(`${flag} must be a number from ${min} to ${max}`);
  }
  return parsed;
};

export function registerEmulateCommand(program: Command): void {
  program
    .command('emulate')
    .description(
      "Run a local Persona: the Events, Webhooks and Webhook Events APIs inquiries you can create and move through their lifecycle, and cases and monitored reports about their users, each step delivered as a signed webhook with Persona's headers and retry schedule (compressed by --time-scale). For development and tests; it never talks to Persona.",
    )
    .option('--port <port>', 'port to listen on', '4010')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--deliver-to <url>', 'create a webhook for this receiver URL, subscribed to every event')
    .option(
      '--time-scale <n>',
      "divide Persona's retry delays by n (60: the 3 s first retry takes 50 ms)",
      '60',
    )
    .option(
      '--api-key <key>',
      'the full-permission API key it accepts, also needed by its /_emulator/* control routes (default: a new random persona_sandbox_emulator_… key, printed)',
    )
    .option('--webhook-secret <secret>', "the --deliver-to webhook's secret (default: a new wbhsec_…)")
    .option('--rate-limit <n>', 'API requests allowed per minute before 429', '300')
    .option('--max-page-size <n>', 'largest page served, whatever is asked (exercise pagination)', '100')
    .action(async (flags: EmulateFlags) => {
      if (flags.deliverTo !== undefined && !/^https?:\/\/./.test(flags.deliverTo)) {
        throw new InvalidArgumentError('--deliver-to must be an http(s) URL');
      }
      const emulator = await startEmulator({
        port: number('--port', flags.port, 0, 65535),
        host: flags.host,
        timeScale: number('--time-scale', flags.timeScale, 0.001, 1_000_000),
        rateLimit: number('--rate-limit', flags.rateLimit, 1, 1_000_000),
        maxPageSize: number('--max-page-size', flags.maxPageSize, 1, 100),
        ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
        onAttempt: (attempt) =>
          process.stdout.write(
            `delivery ${attempt.deliveryId} ${attempt.eventId} ${attempt.eventName} attempt ${attempt.attempt} → ${attempt.error ?? attempt.status}\n`,
          ),
      });
      const lines = [
        `Persona emulator on ${emulator.url} (time scale ×${flags.timeScale})`,
        '',
        `  PERSONA_API_URL=${emulator.apiUrl}`,
        `  PERSONA_API_KEY=${emulator.apiKey}`,
      ];
      if (flags.deliverTo) {
        const webhook = emulator.createWebhook({
          url: flags.deliverTo,
          enabledEvents: [...PERSONA_EVENT_NAMES],
          ...(flags.webhookSecret ? { secret: flags.webhookSecret } : {}),
        });
        lines.push(
          `  PERSONA_WEBHOOK_SECRET=${webhook.secrets[0]!.value}`,
          '',
          `Webhook ${webhook.id} → ${webhook.url}`,
        );
      }
      lines.push(
        '',
        'Create an inquiry and decide it (each step is an event, delivered to the webhooks):',
        `  curl -s -X POST ${emulator.apiUrl}/inquiries -H "Authorization: Bearer ${emulator.apiKey}" -H 'content-type: application/json' -d '{"data":{"attributes":{"reference-id":"user-1"}}}'`,
        `  curl -s -X POST ${emulator.apiUrl}/inquiries/<inq_…>/approve -H "Authorization: Bearer ${emulator.apiKey}"`,
        'Screen that user: a monitored watchlist report that matches, then a case a reviewer resolves:',
        `  curl -s -X POST ${emulator.url}/_emulator/reports -H 'content-type: application/json' -d '{"reference-id":"user-1","has-match":true}'`,
        `  curl -s -X POST ${emulator.url}/_emulator/cases -H 'content-type: application/json' -d '{"reference-id":"user-1"}'`,
        `  curl -s -X POST ${emulator.url}/_emulator/cases/<case_…>/resolve -H 'content-type: application/json' -d '{"resolution":"Approved"}'`,
        'Lose the next deliveries, to watch reconciliation recover them:',
        `  curl -s -X POST ${emulator.url}/_emulator/faults -H "Authorization: Bearer ${emulator.apiKey}" -H 'content-type: application/json' -d '{"drop-deliveries":3}'`,
        `It answers only Host 127.0.0.1, localhost or [::1]; the /_emulator/* control routes need the key above.`,
        '',
      );
      process.stdout.write(`${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await emulator.close();
    });
}
