import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../open-store.js';
import { createRebuildProgress } from '../progress.js';
import { databaseUrlFrom } from '../settings.js';
import { DATABASE_OPTION, withStore } from '../with-store.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply database migrations (the server also applies them at start), then rebuild the KYC facts of events stored before the upgrade.',
    )
    .option(...DATABASE_OPTION)
    .option(
      '--handlers <path>',
      "the handlers module whose kycPolicy decides the rebuilt users (default: PERSONA_WEBHOOKS_HANDLERS, as the service's)",
    )
    .action(async (flags: { databaseUrl?: string; handlers?: string }) => {
      const progress = createRebuildProgress();
      // The rebuild decides every user again: with the service's own policy, else a user would show the
      // default policy's decision until their next event.
      const policyModule = flags.handlers ?? process.env['PERSONA_WEBHOOKS_HANDLERS'] ?? null;
      try {
        // Opening in migrate mode migrates and rebuilds; opening and closing is the whole command.
        await withStore(flags.databaseUrl, async () => {}, 'migrate', {
          policyModule,
          onMigrateProgress: (p) => progress.update(p),
        });
      } finally {
        progress.stop();
      }
      const target = parseDatabaseUrl(databaseUrlFrom(flags.databaseUrl));
      process.stdout.write(`migrations applied (${target.dialect})\n`);
      const summary = progress.summary();
      if (summary) process.stdout.write(`${summary}\n`);
    });
}
