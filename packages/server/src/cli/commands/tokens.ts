/**
 * `persona-webhooks tokens create | list | revoke`: read-only API tokens for applications, in the
 * service's database (so every instance sees them, and a revocation at once). A token is printed once,
 * at creation; only its SHA-256 is stored.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { generateAppToken } from '../../app-tokens/app-token.js';
import { utcTime } from '../../utc-time.js';
import { notFound, withStoreNamed } from '../not-found.js';
import { formatTable } from '../table.js';
import { DATABASE_OPTION, printJson, withStore } from '../with-store.js';

const MAX_NAME_CHARS = 100;

/** Registers `tokens create`, `tokens list` and `tokens revoke`. */
export function registerTokensCommands(program: Command): void {
  const tokens = program
    .command('tokens')
    .description(
      'App tokens: read-only API tokens for your applications (GET /api/kyc/:referenceId and GET /api/inquiries/:inquiryId).',
    );

  tokens
    .command('create')
    .description('Create a token and print it once (only its hash is stored).')
    .requiredOption('--name <label>', 'what the token is for, e.g. the application using it')
    .option(...DATABASE_OPTION)
    .action(async (flags: { name: string; databaseUrl?: string }) => {
      const name = flags.name.trim();
      // A label shows in tables: one line, printable, short.
      if (name === '' || name.length > MAX_NAME_CHARS || /\p{Cc}/u.test(name)) {
        throw new InvalidArgumentError(`--name must be 1–${MAX_NAME_CHARS} printable characters`);
      }
      const { id, token, tokenHash } = generateAppToken();
      await withStore(flags.databaseUrl, (store) =>
        store.createAppToken({ id, name, tokenHash, createdAtMs: Date.now() }),
      );
      process.stderr.write(
        `created app token ${id} (${name}). It is shown only this once; send it as "Authorization: Bearer <token>":\n`,
      );
      process.stdout.write(`${token}\n`);
    });

  tokens
    .command('list')
    .description('List app tokens (never the tokens themselves), revoked ones included.')
    .option('--json', 'print JSON instead of a table')
    .option(...DATABASE_OPTION)
    .action(async (flags: { json?: boolean; databaseUrl?: string }) => {
      const rows = (await withStore(flags.databaseUrl, (store) => store.listAppTokens())).map((t) => ({
        id: t.id,
        name: t.name,
        createdAt: iso(t.createdAtMs),
        lastUsedAt: iso(t.lastUsedAtMs),
        revokedAt: iso(t.revokedAtMs),
      }));
      if (flags.json) return printJson({ tokens: rows });
      if (rows.length === 0)
        return void process.stdout.write(`${withStoreNamed('no app tokens', flags.databaseUrl)}\n`);
      process.stdout.write(
        formatTable(
          ['ID', 'NAME', 'CREATED', 'LAST USED', 'REVOKED'],
          rows.map((t) => [t.id, t.name, utcTime(t.createdAt), utcTime(t.lastUsedAt), utcTime(t.revokedAt)]),
        ),
      );
    });

  tokens
    .command('revoke')
    .description('Revoke a token for good: requests with it are refused (401) from now on.')
    .argument('<token-id>', 'apt_… as `tokens list` shows it')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { databaseUrl?: string }) => {
      const outcome = await withStore(flags.databaseUrl, (store) => store.revokeAppToken(id, Date.now()));
      if (outcome === 'revoked') return void process.stdout.write(`revoked ${id}\n`);
      if (outcome === 'not_found') return notFound(`no app token ${id}`, flags.databaseUrl);
      process.stderr.write(`app token ${id} was already revoked\n`);
      process.exitCode = 1;
    });
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
