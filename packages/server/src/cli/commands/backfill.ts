import { type Command, InvalidArgumentError } from 'commander';
import { recoverEvents } from '../../reconcile/recover-events.js';
import { API_URL_OPTION, apiClientFor } from '../api-client.js';
import { createTimeProgress } from '../progress.js';
import { parseSince } from '../time-arguments.js';
import { DATABASE_OPTION, withStore } from '../with-store.js';

interface BackfillFlags {
  since: string;
  until?: string;
  name: string[];
  dryRun?: boolean;
  databaseUrl?: string;
  apiUrl?: string;
}

export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description(
      "Recover events the webhook missed: read them from Persona's Events API and store every one the inbox lacks (source api), exactly as if delivered. Running it again stores nothing new.",
    )
    .requiredOption(
      '--since <when>',
      'oldest event to recover: ISO time or a duration back from now (72h, 7d)',
    )
    .option('--until <when>', 'newest event to recover: ISO time or a duration back from now (default: now)')
    .option(
      '--name <event>',
      'only this event name; repeat for several',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .option('--dry-run', 'count what would be stored, store nothing')
    .option(...DATABASE_OPTION)
    .option(...API_URL_OPTION)
    .action(async (flags: BackfillFlags) => {
      const now = Date.now();
      const sinceMs = parseSince(flags.since, '--since', now);
      const untilMs = flags.until === undefined ? now : parseSince(flags.until, '--until', now);
      if (untilMs < sinceMs) throw new InvalidArgumentError('--until must not be before --since');
      const client = apiClientFor(flags, 'for backfill');
      // Backfill writes, and filling a new receiver with recent history is when it is run: it creates and
      // migrates the store as serve does. A dry run writes nothing, so it needs an existing store.
      const mode = flags.dryRun ? 'existing' : 'migrate';
      const summary = await withStore(
        flags.databaseUrl,
        async (store) => {
          const progress = createTimeProgress(
            sinceMs,
            untilMs,
            flags.dryRun ? 'backfill (dry run)' : 'backfill',
          );
          try {
            return await recoverEvents({
              client,
              store,
              sinceMs,
              untilMs,
              names: flags.name,
              dryRun: flags.dryRun === true,
              onPage: ({ fetched, oldestCreatedAtMs }) => progress.update(oldestCreatedAtMs, fetched),
            });
          } finally {
            progress.stop();
          }
        },
        mode,
      );
      const window = `${new Date(sinceMs).toISOString()} → ${new Date(untilMs).toISOString()}${flags.name.length ? ` (${flags.name.join(', ')})` : ''}`;
      const parts = [
        `fetched ${summary.fetched}`,
        `${flags.dryRun ? 'would store' : 'new'} ${summary.stored}`,
        `already stored ${summary.alreadyStored}`,
        ...(summary.quarantined ? [`quarantined ${summary.quarantined}`] : []),
      ];
      process.stdout.write(`${window}: ${parts.join(', ')}\n`);
    });
}
