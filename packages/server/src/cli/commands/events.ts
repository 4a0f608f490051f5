import { type Command, InvalidArgumentError } from 'commander';
import type { EventStatus, ReplayOutcome } from 'persona-webhooks';
import { eventDetailJson, eventSummaryJson } from '../../server/admin-views.js';
import { createProgress } from '../progress.js';
import { printJson, withStore } from '../with-store.js';

const STATUSES: readonly EventStatus[] = ['pending', 'processing', 'done', 'dead'];
const DATABASE_OPTION = [
  '--database-url <url>',
  'sqlite:<path> or postgres://… (default: DATABASE_URL or the default SQLite file)',
] as const;

/** What `events replay <id>` prints for each outcome. */
const REPLAY_MESSAGES: Readonly<Record<ReplayOutcome, (id: string) => string>> = {
  replayed: (id) => `replayed ${id}`,
  not_found: (id) => `not replayed: no event ${id}`,
  already_queued: (id) => `not replayed: ${id} is already queued and will be processed without a replay`,
};

export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('Inspect and replay stored events.');

  events
    .command('list')
    .description('List events, newest received first.')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--name <name>', 'event name, e.g. inquiry.approved')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <cursor>', 'nextCursor of a previous page')
    .option('--json', 'print JSON instead of a table')
    .option(...DATABASE_OPTION)
    .action(
      async (flags: {
        status?: string;
        name?: string;
        limit: string;
        cursor?: string;
        json?: boolean;
        databaseUrl?: string;
      }) => {
        if (flags.status && !STATUSES.includes(flags.status as EventStatus)) {
          throw new InvalidArgumentError(`--status must be one of ${STATUSES.join(', ')}`);
        }
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500)
          throw new InvalidArgumentError('--limit must be 1–500');
        const page = await withStore(flags.databaseUrl, (store) =>
          store.listEvents({
            limit,
            ...(flags.status ? { status: flags.status as EventStatus } : {}),
            ...(flags.name ? { name: flags.name } : {}),
            ...(flags.cursor ? { cursor: flags.cursor } : {}),
          }),
        );
        const rows = page.events.map(eventSummaryJson);
        if (flags.json) return printJson({ events: rows, nextCursor: page.nextCursor });
        if (rows.length === 0) return void process.stdout.write('no events\n');
        console.table(
          rows.map(({ lastError, ...row }) => ({ ...row, lastError: lastError?.slice(0, 60) ?? '' })),
        );
        if (page.nextCursor) process.stdout.write(`more: --cursor ${page.nextCursor}\n`);
      },
    );

  events
    .command('show')
    .description('Show one event with its attempts and payload.')
    .argument('<event-id>')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { databaseUrl?: string }) => {
      const event = await withStore(flags.databaseUrl, (store) => store.getEvent(id));
      if (!event) {
        process.stderr.write(`no event ${id}\n`);
        process.exitCode = 1;
        return;
      }
      printJson(eventDetailJson(event));
    });

  events
    .command('replay')
    .description('Put an event back in the queue, or every dead event (--dead) since a time.')
    .argument('[event-id]')
    .option('--dead', 'replay all dead events')
    .option('--since <iso>', 'with --dead: only events received since this time')
    .option('--name <name>', 'with --dead: only events of this name')
    .option(...DATABASE_OPTION)
    .action(
      async (
        id: string | undefined,
        flags: { dead?: boolean; since?: string; name?: string; databaseUrl?: string },
      ) => {
        if (Boolean(id) === Boolean(flags.dead))
          throw new InvalidArgumentError('give either an event id or --dead');
        const sinceMs = flags.since ? Date.parse(flags.since) : undefined;
        if (sinceMs !== undefined && Number.isNaN(sinceMs))
          throw new InvalidArgumentError('--since must be an ISO 8601 time');
        await withStore(flags.databaseUrl, async (store) => {
          if (id) {
            const outcome = await store.replay(id, Date.now());
            process.stdout.write(`${REPLAY_MESSAGES[outcome](id)}\n`);
            if (outcome !== 'replayed') process.exitCode = 1;
            return;
          }
          const dead = await store.counts();
          const progress = createProgress(dead.dead, 'replaying');
          const count = await store.replayDead(
            { ...(sinceMs !== undefined ? { sinceMs } : {}), ...(flags.name ? { name: flags.name } : {}) },
            Date.now(),
          );
          for (let i = 0; i < count; i++) progress.tick();
          progress.stop();
          process.stdout.write(`replayed ${count} dead event(s)\n`);
        });
      },
    );
}
