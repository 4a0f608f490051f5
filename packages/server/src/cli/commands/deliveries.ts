/**
 * `persona-webhooks deliveries list | show | replay`: the outbound `kyc.decision_changed` messages, their
 * attempts, and sending one again (same `webhook-id`, so the application can dedupe).
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { DeliveryStatus, ReplayOutcome } from 'persona-webhooks';
import { parseDuration } from '../../durations.js';
import { deliveryDetailJson, deliveryJson } from '../../server/admin-api/admin-views.js';
import { utcTime } from '../../utc-time.js';
import { escapeText } from '../escape-text.js';
import { listLimit, listStatus, printListPage } from '../list-page.js';
import { notFound } from '../not-found.js';
import { formatTable, oneLine } from '../table.js';
import { DATABASE_OPTION, printJson, withStore } from '../with-store.js';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'delivered', 'dead'];
const REPLAY_MESSAGES: Readonly<Record<ReplayOutcome, (id: string) => string>> = {
  replayed: (id) => `replayed ${id}: it is sent again with the same webhook-id`,
  not_found: (id) => `not replayed: no message ${id}`,
  already_queued: (id) => `not replayed: ${id} is still queued and will be sent without a replay`,
};

/** Registers the `deliveries` commands, in the order `--help` lists them. */
export function registerDeliveriesCommands(program: Command): void {
  const deliveries = program
    .command('deliveries')
    .description('Inspect and replay the kyc.decision_changed webhooks sent to your application.');

  registerListCommand(deliveries);
  registerShowCommand(deliveries);
  registerSendNowCommand(deliveries);
  registerRecoverCommand(deliveries);
  registerReplayCommand(deliveries);
}

/** `deliveries list`. */
function registerListCommand(deliveries: Command): void {
  deliveries
    .command('list')
    .description('List messages, newest first.')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--endpoint <id>', 'only this endpoint (ep_…)')
    .option('--reference-id <id>', 'only this user')
    .option('--limit <n>', 'page size', '50')
    .option('--cursor <cursor>', 'nextCursor of a previous page')
    .option('--json', 'print JSON instead of a table')
    .option(...DATABASE_OPTION)
    .action(
      async (flags: {
        status?: string;
        endpoint?: string;
        referenceId?: string;
        limit: string;
        cursor?: string;
        json?: boolean;
        databaseUrl?: string;
      }) => {
        const status = listStatus(flags.status, STATUSES);
        const limit = listLimit(flags.limit);
        const page = await withStore(flags.databaseUrl, (store) =>
          store.listDeliveries({
            limit,
            ...(status ? { status } : {}),
            ...(flags.endpoint ? { endpointId: flags.endpoint } : {}),
            ...(flags.referenceId ? { referenceId: flags.referenceId } : {}),
            ...(flags.cursor ? { cursor: flags.cursor } : {}),
          }),
        );
        printListPage({
          noun: 'deliveries',
          rows: page.deliveries.map(deliveryJson),
          nextCursor: page.nextCursor,
          json: flags.json,
          databaseUrl: flags.databaseUrl,
          head: [
            'CREATED',
            'STATUS',
            'ID',
            'ENDPOINT',
            'USER',
            'DECISION',
            'ATTEMPTS',
            'CODE',
            'NEXT TRY',
            'LAST ERROR',
          ],
          cells: (row) => [
            utcTime(row.createdAt),
            row.status,
            row.id,
            row.endpointId,
            row.referenceId,
            `${row.previousDecision ?? '-'} → ${row.decision ?? '-'}`,
            row.attempts,
            row.lastStatusCode,
            row.status === 'pending' ? utcTime(row.nextAttemptAt) : null,
            oneLine(row.lastError, 60),
          ],
        });
      },
    );
}

/** `deliveries show`. */
function registerShowCommand(deliveries: Command): void {
  deliveries
    .command('show')
    .description('Show one message: its attempts and payload.')
    .argument('<message-id>', 'msg_… (the webhook-id)')
    .option('--json', 'print JSON instead of text')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { json?: boolean; databaseUrl?: string }) => {
      const delivery = await withStore(flags.databaseUrl, (store) => store.getDelivery(id));
      if (!delivery) {
        return notFound(`no message ${id}`, flags.databaseUrl);
      }
      const json = deliveryDetailJson(delivery);
      if (flags.json) return printJson(json);
      const fields: Array<[string, string | number | null]> = [
        ['id', json.id],
        ['endpoint', json.endpointId],
        ['user', json.referenceId],
        ['decision', `${json.previousDecision ?? '-'} → ${json.decision ?? '-'}`],
        ['status', json.status],
        ['created', utcTime(json.createdAt)],
        ['attempts', json.attempts],
        ['next try', json.status === 'pending' ? utcTime(json.nextAttemptAt) : null],
        ['delivered', json.deliveredAt === null ? null : utcTime(json.deliveredAt)],
        ['last error', json.lastError],
      ];
      const width = Math.max(...fields.map(([label]) => label.length));
      let text = fields.map(([label, value]) => `${label.padEnd(width)}  ${value ?? '-'}\n`).join('');
      if (json.attemptLog.length > 0) {
        text += `\n${formatTable(
          ['ATTEMPT', 'STARTED', 'TOOK', 'CODE', 'ERROR'],
          json.attemptLog.map((a) => [
            a.attempt,
            utcTime(a.startedAt),
            a.durationMs === null ? (a.interrupted ? 'interrupted' : 'running') : `${a.durationMs} ms`,
            a.statusCode,
            oneLine(
              a.interrupted ? 'interrupted: the sender stopped before an answer was recorded' : a.error,
              80,
            ),
          ]),
        )}`;
        text += describeAnswers(json.attemptLog);
      }
      text += `\npayload:\n${JSON.stringify(json.payload, null, 2)}\n`;
      process.stdout.write(text);
    });
}

/** `deliveries send-now`. */
function registerSendNowCommand(deliveries: Command): void {
  deliveries
    .command('send-now')
    .description('Send a pending message now instead of at its next retry (e.g. once your app is back).')
    .argument('<message-id>', 'msg_… (the webhook-id)')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { databaseUrl?: string }) => {
      const outcome = await withStore(flags.databaseUrl, (store) => store.sendDeliveryNow(id, Date.now()));
      if (outcome === 'not_found') return notFound(`no message ${id}`, flags.databaseUrl);
      if (outcome === 'not_pending') {
        process.stderr.write(
          `${id} is not pending (being sent, delivered or dead): replay a dead or delivered one with \`deliveries replay ${id}\`\n`,
        );
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`${id} is due now: the service sends it within a second\n`);
    });
}

/** `deliveries recover`. */
function registerRecoverCommand(deliveries: Command): void {
  deliveries
    .command('recover')
    .description(
      'Send again, now, every failed or dead message of an endpoint since a time (after your app was down).',
    )
    .requiredOption('--endpoint <id>', 'the endpoint (ep_…)')
    .requiredOption('--since <time>', 'ISO 8601 time, or a duration back from now such as 2h or 3d')
    .option(...DATABASE_OPTION)
    .action(async (flags: { endpoint: string; since: string; databaseUrl?: string }) => {
      const sinceMs = sinceTime(flags.since);
      const outcome = await withStore(flags.databaseUrl, async (store) => {
        if (!(await store.listEndpoints()).some((e) => e.id === flags.endpoint)) return null;
        return store.recoverDeliveries({ endpointId: flags.endpoint, sinceMs }, Date.now());
      });
      if (outcome === null)
        return notFound(`no endpoint ${flags.endpoint}: see \`endpoints list\``, flags.databaseUrl);
      process.stdout.write(
        `recovered ${outcome} message(s) of ${flags.endpoint} since ${new Date(sinceMs).toISOString()}: due now, same webhook-ids\n`,
      );
    });
}

/** `deliveries replay`. */
function registerReplayCommand(deliveries: Command): void {
  deliveries
    .command('replay')
    .description('Send a delivered or dead message again (same webhook-id, fresh attempts).')
    .argument('<message-id>', 'msg_… (the webhook-id)')
    .option(...DATABASE_OPTION)
    .action(async (id: string, flags: { databaseUrl?: string }) => {
      const outcome = await withStore(flags.databaseUrl, (store) => store.replayDelivery(id, Date.now()));
      if (outcome === 'not_found') return notFound(REPLAY_MESSAGES[outcome](id), flags.databaseUrl);
      process.stdout.write(`${REPLAY_MESSAGES[outcome](id)}\n`);
      if (outcome !== 'replayed') process.exitCode = 1;
    });
}

/** `--since`: an ISO 8601 time, or a duration back from now (`2h`). */
function sinceTime(raw: string): number {
  const duration = parseDuration(raw);
  if (duration !== null) return Date.now() - duration;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) {
    throw new InvalidArgumentError('--since must be an ISO 8601 time or a duration such as 2h or 3d');
  }
  return ms;
}

/** Each attempt's answer (escaped) and the headers it sent, below the attempt table. */
function describeAnswers(
  attempts: ReadonlyArray<{
    attempt: number;
    responseExcerpt: string | null;
    requestHeaders: Record<string, string> | null;
  }>,
): string {
  let text = '';
  for (const a of attempts) {
    if (a.responseExcerpt === null && a.requestHeaders === null) continue;
    text += `\nattempt ${a.attempt}:\n`;
    if (a.requestHeaders) {
      for (const [name, value] of Object.entries(a.requestHeaders))
        text += `  > ${name}: ${escapeText(value)}\n`;
    }
    if (a.responseExcerpt !== null) {
      text += `  < ${escapeText(a.responseExcerpt).replace(/\n/g, '\n    ')}\n`;
    }
  }
  return text;
}
