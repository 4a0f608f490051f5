/**
 * `persona-webhooks endpoints add | list | rotate-secret | disable | enable`: the application endpoints
 * that receive signed `kyc.decision_changed` webhooks, in the service's database (every instance sees
 * them). A secret is printed once, when it is made; `list` shows how many there are and when they expire.
 * Add an endpoint before the decisions it should hear about change: messages are written when they do.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { type AppEndpoint, generateEndpointSecret, isEndpointSecret, type Store } from 'persona-webhooks';
import { parseDuration } from '../../durations.js';
import { destinationPolicyFromEnv, refuseResolvedDestination } from '../../outbound/endpoint-checks.js';
import { checkEndpointUrl, maskEndpointUrl } from '../../outbound/endpoint-url.js';
import { endpointIdFor } from '../../outbound/outbound-config.js';
import { refuseSelfTarget } from '../../outbound/self-target.js';
import { sendTestMessage } from '../../outbound/test-message.js';
import { endpointJson } from '../../server/admin-api/admin-views.js';
import { utcTime } from '../../utc-time.js';
import { confirm, YES_OPTION } from '../confirm.js';
import { escapeText } from '../escape-text.js';
import { notFound, withStoreNamed } from '../not-found.js';
import { formatTable } from '../table.js';
import { DATABASE_OPTION, printJson, withStore } from '../with-store.js';

/** Registers the `endpoints` commands. */
export function registerEndpointsCommands(program: Command): void {
  const endpoints = program
    .command('endpoints')
    .description(
      "Your application's endpoints for signed kyc.decision_changed webhooks (Standard Webhooks).",
    );

  registerAddCommand(endpoints);
  registerListCommand(endpoints);
  registerRotateSecretCommand(endpoints);
  registerRemoveCommand(endpoints);
  registerTestCommand(endpoints);
  registerEnableDisableCommands(endpoints);
}

/** `endpoints add`. */
function registerAddCommand(endpoints: Command): void {
  endpoints
    .command('add')
    .description('Add an endpoint and print its id and signing secret (shown only this once).')
    .argument('<url>', 'http(s) URL of your application, e.g. https://app.example/kyc')
    .option('--secret <whsec>', 'use this whsec_… secret instead of generating one')
    .option(...DATABASE_OPTION)
    .action(async (rawUrl: string, flags: { secret?: string; databaseUrl?: string }) => {
      if (flags.secret !== undefined && !isEndpointSecret(flags.secret)) {
        throw new InvalidArgumentError('--secret must be a whsec_… secret (whsec_ + base64 of 24–64 bytes)');
      }
      const policy = destinationPolicyFromEnv();
      const checked = checkEndpointUrl(rawUrl, policy);
      if (!checked.ok) throw new InvalidArgumentError(`<url> ${checked.reason}`);
      const url = checked.url;
      const id = endpointIdFor(url);
      await refuseSelfTarget({ id, url }, servicePort());
      await refuseResolvedDestination(url, policy);
      const secret = flags.secret ?? generateEndpointSecret();
      const added = await withStore(flags.databaseUrl, async (store) => {
        if ((await store.listEndpoints()).some((endpoint) => endpoint.id === id)) return false;
        await store.putEndpoint({
          id,
          url,
          secrets: [{ secret, expiresAtMs: null }],
          enabled: true,
          source: 'cli',
          createdAtMs: Date.now(),
        });
        return true;
      });
      if (!added) return fail(`${maskEndpointUrl(url)} is already endpoint ${id}: see \`endpoints list\``);
      process.stderr.write(
        'Added. Give the secret to your application (it verifies the webhook-signature header with it); it is shown only this once.\n',
      );
      process.stdout.write(`endpoint ${id}\nsecret   ${secret}\n`);
    });
}

/** `endpoints list`. */
function registerListCommand(endpoints: Command): void {
  endpoints
    .command('list')
    .description('List endpoints: never a secret, only how many and when they expire.')
    .option('--json', 'print JSON instead of a table')
    .option(...DATABASE_OPTION)
    .action(async (flags: { json?: boolean; databaseUrl?: string }) => {
      const rows = (await withStore(flags.databaseUrl, (store) => store.listEndpoints())).map((endpoint) =>
        endpointJson(endpoint),
      );
      if (flags.json) return printJson({ endpoints: rows });
      if (rows.length === 0)
        return void process.stdout.write(`${withStoreNamed('no endpoints', flags.databaseUrl)}\n`);
      process.stdout.write(
        formatTable(
          ['ID', 'URL', 'ENABLED', 'SOURCE', 'CREATED', 'SECRETS'],
          rows.map((e) => [
            e.id,
            e.url,
            e.enabled ? 'yes' : 'no',
            e.source,
            utcTime(e.createdAt),
            e.secrets
              .map((s) => (s.expiresAt === null ? 'current' : `old until ${utcTime(s.expiresAt)}`))
              .join(', '),
          ]),
        ),
      );
    });
}

/** `endpoints rotate-secret`. */
function registerRotateSecretCommand(endpoints: Command): void {
  endpoints
    .command('rotate-secret')
    .description('Make a new signing secret (printed once); the old ones keep signing until --keep-old ends.')
    .argument('<endpoint-id>', 'ep_… as `endpoints list` shows it')
    .option('--keep-old <duration>', 'how long the old secret keeps signing, e.g. 24h, 30m, 0s', '24h')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { keepOld: string; databaseUrl?: string }) => {
      const keepMs = parseDuration(flags.keepOld);
      if (keepMs === null)
        throw new InvalidArgumentError('--keep-old must be a duration such as 24h, 30m or 0s');
      const secret = generateEndpointSecret();
      const outcome = await withEndpoint(flags.databaseUrl, id, async (store, endpoint) => {
        if (endpoint.source === 'env') return 'env' as const;
        const nowMs = Date.now();
        const oldUntil = nowMs + keepMs;
        const old = endpoint.secrets
          .filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs)
          .map((s) => ({ secret: s.secret, expiresAtMs: Math.min(s.expiresAtMs ?? oldUntil, oldUntil) }))
          .filter((s) => s.expiresAtMs > nowMs);
        await store.putEndpoint({ ...endpoint, secrets: [{ secret, expiresAtMs: null }, ...old] });
        return oldUntil;
      });
      if (outcome === null) return;
      if (outcome === 'env') {
        return fail(
          `${id} comes from PERSONA_WEBHOOKS_APP_ENDPOINTS: rotate it there (list the new and old secret in "secrets", drop the old one later) and restart`,
        );
      }
      process.stderr.write(
        keepMs > 0
          ? `New secret for ${id}; the old one keeps signing until ${utcTime(outcome)}. Shown only this once:\n`
          : `New secret for ${id}; the old one no longer signs. Shown only this once:\n`,
      );
      process.stdout.write(`${secret}\n`);
    });
}

/** `endpoints remove`. */
function registerRemoveCommand(endpoints: Command): void {
  endpoints
    .command('remove')
    .description('Remove an endpoint added with `endpoints add`, with its messages and their attempts.')
    .argument('<endpoint-id>', 'ep_… as `endpoints list` shows it')
    .option(...YES_OPTION)
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { yes?: boolean; databaseUrl?: string }) => {
      const found = await withEndpoint(flags.databaseUrl, id, async (_store, endpoint) => endpoint);
      if (found === null) return;
      if (found.source === 'env') {
        return fail(
          `${id} comes from PERSONA_WEBHOOKS_APP_ENDPOINTS: remove it there and restart (it is then disabled, its messages kept)`,
        );
      }
      const asked = `Remove ${id} (${maskEndpointUrl(found.url)}) and every message queued or sent to it?`;
      if (!(await confirm(asked, flags.yes))) return fail('not removed');
      const removed = await withStore(flags.databaseUrl, (store) => store.removeEndpoint(id));
      process.stdout.write(`removed ${id} and ${removed.messages} message(s)\n`);
    });
}

/** `endpoints test`. */
function registerTestCommand(endpoints: Command): void {
  endpoints
    .command('test')
    .description('Send the endpoint a signed webhook.test message now and print how it answered.')
    .argument('<endpoint-id>', 'ep_… as `endpoints list` shows it')
    .option('--timeout <duration>', 'how long to wait for the answer', '10s')
    .option('--json', 'print JSON instead of text')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { timeout: string; json?: boolean; databaseUrl?: string }) => {
      const timeoutMs = parseDuration(flags.timeout);
      if (timeoutMs === null || timeoutMs < 1) {
        throw new InvalidArgumentError('--timeout must be a duration such as 10s or 500ms');
      }
      const endpoint = await withEndpoint(flags.databaseUrl, id, async (_store, e) => e);
      if (endpoint === null) return;
      const result = await sendTestMessage(endpoint, {
        policy: destinationPolicyFromEnv(),
        servicePort: servicePort(),
        timeoutMs,
      });
      if (!result.ok) process.exitCode = 1;
      if (flags.json) return printJson({ ...result, durationMs: Math.round(result.durationMs) });
      let text = `${result.ok ? 'ok' : 'failed'}: ${result.statusCode ?? 'no answer'}${result.error ? ` (${result.error})` : ''} in ${Math.round(result.durationMs)} ms, webhook-id ${result.id}\n`;
      for (const [name, value] of Object.entries(result.requestHeaders ?? {}))
        text += `> ${name}: ${value}\n`;
      if (result.responseExcerpt) text += `< ${escapeText(result.responseExcerpt)}\n`;
      process.stdout.write(text);
    });
}

/** `endpoints enable` and `endpoints disable`. */
function registerEnableDisableCommands(endpoints: Command): void {
  for (const [name, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    endpoints
      .command(name)
      .description(
        enabled
          ? 'Enable an endpoint: new decision changes are sent to it again, and its queued messages.'
          : 'Disable an endpoint: no new messages for it; queued ones wait until it is enabled.',
      )
      .argument('<endpoint-id>', 'ep_… as `endpoints list` shows it')
      .option(...DATABASE_OPTION)
      .action(async (id: string, flags: { databaseUrl?: string }) => {
        const done = await withEndpoint(flags.databaseUrl, id, async (store, endpoint) => {
          await store.putEndpoint({ ...endpoint, enabled });
          return true;
        });
        if (done) process.stdout.write(`${enabled ? 'enabled' : 'disabled'} ${id}\n`);
      });
  }
}

/** Runs `work` on endpoint `id`; prints an error and resolves null when there is none. */
async function withEndpoint<T>(
  databaseUrl: string | undefined,
  id: string,
  work: (store: Store, endpoint: AppEndpoint) => Promise<T>,
): Promise<T | null> {
  const result = await withStore(databaseUrl, async (store) => {
    const endpoint = (await store.listEndpoints()).find((e) => e.id === id);
    return endpoint ? { value: await work(store, endpoint) } : null;
  });
  if (result === null) {
    notFound(`no endpoint ${id}: see \`endpoints list\``, databaseUrl);
    return null;
  }
  return result.value;
}

/** The service's port as `serve` would take it (PORT, default 3000), for the self-target check. */
function servicePort(): number {
  const port = Number(process.env['PORT'] ?? 3000);
  return Number.isInteger(port) ? port : 3000;
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}
