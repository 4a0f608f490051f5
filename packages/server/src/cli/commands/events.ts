import { type Command, InvalidArgumentError } from 'commander';
import type { EventStatus, ReplayOutcome } from 'persona-webhooks';
import { eventDetailJson, eventSummaryJson } from '../../server/admin-api/admin-views.js';
import { utcTime } from '../../utc-time.js';
import { confirm, YES_OPTION } from '../confirm.js';
import { listLimit, listStatus, printListPage } from '../list-page.js';
import { notFound } from '../not-found.js';
import { createProgress } from '../progress.js';
import { formatTable, oneLine } from '../table.js';
import { DATABASE_OPTION, printJson, withStore } from '../with-store.js';

const STATUSES: readonly EventStatus[] = ['pending', 'processing', 'done', 'dead'];
/** What `events replay <id>` prints for each outcome. */
const REPLAY_MESSAGES: Readonly<Record<ReplayOutcome, (id: string) => string>> = {
  replayed: (id) => `replayed ${id}`,
  not_found: (id) => `not replayed: no event ${id}`,
  already_queued: (id) => `not replayed: ${id} is already queued and will be processed without a replay`,
};

export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('Inspect and replay stored events.');

  registerListCommand(events);
  registerShowCommand(events);
  registerReplayCommand(events);
}

/** `events list`. */
function registerListCommand(events: Command): void {
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
        const status = listStatus(flags.status, STATUSES);
        const limit = listLimit(flags.limit);
        const page = await withStore(flags.databaseUrl, (store) =>
          store.listEvents({
            limit,
            ...(status ? { status } : {}),
            ...(flags.name ? { name: flags.name } : {}),
            ...(flags.cursor ? { cursor: flags.cursor } : {}),
          }),
        );
        printListPage({
          noun: 'events',
          rows: page.events.map(eventSummaryJson),
          nextCursor: page.nextCursor,
          json: flags.json,
          databaseUrl: flags.databaseUrl,
          head: ['RECEIVED', 'STATUS', 'NAME', 'ID', 'ATTEMPTS', 'USER', 'LAST ERROR'],
          cells: (row) => [
            utcTime(row.receivedAt),
            row.status,
            row.name,
            row.id,
            row.attempts,
            row.referenceId,
            oneLine(row.lastError, 60),
          ],
        });
      },
    );
}

/** `events show`. */
function registerShowCommand(events: Command): void {
  events
    .command('show')
    .description('Show one event with its attempts; its payload (personal data) only with --payload.')
    .argument('<event-id>')
    .option('--payload', 'also print the stored payload (names, birthdates, addresses…)')
    .option('--json', 'print JSON instead of text')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { payload?: boolean; json?: boolean; databaseUrl?: string }) => {
      const event = await withStore(flags.databaseUrl, (store) => store.getEvent(id));
      if (!event) {
        return notFound(`no event ${id}`, flags.databaseUrl);
      }
      // A terminal's scrollback and a pasted support ticket outlive the inbox's retention: personal
      // data is printed only when asked for.
      const json = withoutPayloadUnless(flags.payload === true, eventDetailJson(event));
      if (flags.json) return printJson(json);
      process.stdout.write(describeEvent(json));
    });
}

/** `events replay`. */
function registerReplayCommand(events: Command): void {
  events
    .command('replay')
    .description('Put an event back in the queue, or every dead event (--dead) since a time.')
    .argument('[event-id]')
    .option('--dead', 'replay all dead events')
    .option('--since <iso>', 'with --dead: only events received since this time')
    .option('--name <name>', 'with --dead: only events of this name')
    .option(...YES_OPTION)
    .option(...DATABASE_OPTION)
    .action(
      async (
        id: string | undefined,
        flags: { dead?: boolean; since?: string; name?: string; yes?: boolean; databaseUrl?: string },
      ) => {
        if (Boolean(id) === Boolean(flags.dead))
          throw new InvalidArgumentError('give either an event id or --dead');
        const sinceMs = flags.since ? Date.parse(flags.since) : undefined;
        if (sinceMs !== undefined && Number.isNaN(sinceMs))
          throw new InvalidArgumentError('--since must be an ISO 8601 time');
        await withStore(flags.databaseUrl, async (store) => {
          if (id) {
            // A done event's handlers already ran: running them again is a choice, as on the dashboard.
            const event = await store.getEvent(id);
            if (event?.status === 'done') {
              const asked = `Event ${id} (${event.name}) was already processed: a replay runs its handlers and the KYC projection again.`;
              if (!(await confirm(`${asked} Replay it?`, flags.yes))) {
                process.stderr.write('not replayed\n');
                process.exitCode = 1;
                return;
              }
            }
            const outcome = await store.replay(id, Date.now());
            if (outcome === 'not_found') return notFound(REPLAY_MESSAGES[outcome](id), flags.databaseUrl);
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

type EventDetailJson = ReturnType<typeof eventDetailJson>;
/** The event as shown: the payload is left out (`payload` absent) unless `--payload` asked for it. */
type ShownEvent = Omit<EventDetailJson, 'payload'> & { payload?: unknown };

function withoutPayloadUnless(show: boolean, event: EventDetailJson): ShownEvent {
  if (show) return event;
  const { payload: _left, ...rest } = event;
  return rest;
}

/** An event as text: envelope fields, the attempt table, then the payload (with --payload). */
function describeEvent(event: ShownEvent): string {
  const fields: Array<[string, string | number | null]> = [
    ['id', event.id],
    ['name', event.name],
    ['status', event.status],
    ['created', utcTime(event.createdAt)],
    ['received', utcTime(event.receivedAt)],
    ['source', event.source === 'api' ? "api (recovered from Persona's Events API)" : 'webhook'],
    ['object', event.objectType ? `${event.objectType} ${event.objectId}` : null],
    ['inquiry', event.inquiryId],
    ['user', event.referenceId],
    ['attempts', event.attempts],
    ['last error', event.lastError],
  ];
  const width = Math.max(...fields.map(([label]) => label.length));
  let text = fields.map(([label, value]) => `${label.padEnd(width)}  ${value ?? '-'}\n`).join('');
  if (event.attemptLog.length > 0) {
    text += `\n${formatTable(
      ['#', 'RUN', 'ATTEMPT', 'STARTED', 'TOOK', 'OUTCOME', 'ERROR'],
      event.attemptLog.map((a) => [
        a.number,
        a.run === 1 ? 'first' : `replay ${a.run - 1}`,
        a.attempt,
        utcTime(a.startedAt),
        a.durationMs === null ? null : `${a.durationMs} ms`,
        a.outcome ?? 'running',
        oneLine(a.error, 80),
      ]),
    )}`;
  }
  if (event.payloadPurged) text += '\npayload: purged (retention) or scrubbed (redaction)\n';
  else if ('payload' in event) text += `\npayload:\n${JSON.stringify(event.payload, null, 2)}\n`;
  else text += '\npayload: stored, not shown (personal data): add --payload to print it\n';
  return text;
}
