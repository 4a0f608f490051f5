import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../open-store.js';
import { databaseUrlFrom } from '../settings.js';
import { withStore } from '../with-store.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply database migrations (the server also applies them at start).')
    .option(
      '--database-url <url>',
      'sqlite:<path> or postgres://… (default: DATABASE_URL or the default SQLite file)',
    )
    .action(async (flags: { databaseUrl?: string }) => {
      // Opening in migrate mode migrates; opening and closing is the whole command.
      await withStore(flags.databaseUrl, async () => {}, 'migrate');
      const target = parseDatabaseUrl(databaseUrlFrom(flags.databaseUrl));
      process.stdout.write(`migrations applied (${target.dialect})\n`);
    });
}
