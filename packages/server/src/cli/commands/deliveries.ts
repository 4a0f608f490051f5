/**
 * `persona-webhooks deliveries list | show | replay`: the outbound `kyc.decision_changed` messages, their
 * attempts, and sending one again (same `webhook-id`, so the application can dedupe).
 */
import type { Command } from 'commander';
import type { DeliveryStatus, ReplayOutcome } from 'persona-webhooks';
import { deliveryDetailJson, deliveryJson } from '../../server/admin-views.js';
import { utcTime } from '../../utc-time.js';
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

/** Registers `deliveries list`, `deliveries show` and `deliveries replay`. */
export function registerDeliveriesCommands(program: Command): void {
  const deliveries = program
    .command('deliveries')
    .description('Inspect and replay the kyc.decision_changed webhooks sent to your application.');

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
            a.durationMs === null ? null : `${a.durationMs} ms`,
            a.statusCode,
            oneLine(a.error, 80),
          ]),
        )}`;
      }
      text += `\npayload:\n${JSON.stringify(json.payload, null, 2)}\n`;
      process.stdout.write(text);
    });

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
