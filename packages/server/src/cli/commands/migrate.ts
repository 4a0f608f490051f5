import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../open-store.js';
import { createRebuildProgress } from '../progress.js';
import { databaseUrlFrom } from '../settings.js';
import { DATABASE_OPTION, withStore } from '../with-store.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'Apply database migrations (the server also applies them at start), rebuild the KYC facts of events stored before the upgrade, and decide every user again if the policy changed.',
    )
    .option(...DATABASE_OPTION)
    .option(
      '--handlers <path>',
      "the handlers module whose kycPolicy decides the rebuilt users (default: PERSONA_WEBHOOKS_HANDLERS, as the service's)",
    )
    .option('--policy <path>', "the KYC policy file (default: PERSONA_WEBHOOKS_POLICY, as the service's)")
    .option('--redecide', 'decide every user again even if the policy did not change')
    .action(
      async (flags: { databaseUrl?: string; handlers?: string; policy?: string; redecide?: boolean }) => {
        const progress = createRebuildProgress();
        // The rebuild decides every user again: with the service's own policy, else a user would show the
        // default policy's decision until their next event.
        const policyModule = flags.handlers ?? process.env['PERSONA_WEBHOOKS_HANDLERS'] ?? null;
        const policyFile = flags.policy ?? process.env['PERSONA_WEBHOOKS_POLICY'] ?? null;
        try {
          // Opening in migrate mode migrates and rebuilds; opening and closing is the whole command.
          await withStore(flags.databaseUrl, async () => {}, 'migrate', {
            policyModule,
            policyFile,
            redecide: flags.redecide ?? false,
            onMigrateProgress: (p) => progress.update(p),
          });
        } finally {
          progress.stop();
        }
        const target = parseDatabaseUrl(databaseUrlFrom(flags.databaseUrl));
        process.stdout.write(`migrations applied (${target.dialect})\n`);
        const summary = progress.summary();
        if (summary) process.stdout.write(`${summary}\n`);
      },
    );
}
