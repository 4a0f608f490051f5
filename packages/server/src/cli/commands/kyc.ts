import { type Command, InvalidArgumentError } from 'commander';
import { KYC_DECISION_VALUES, type Store } from 'persona-webhooks';
import { kycJson } from '../../server/admin-api/admin-views.js';
import { kycPageJson } from '../../server/admin-api/kyc-list-view.js';
import { utcTime } from '../../utc-time.js';
import { listLimit, listStatus, printListPage } from '../list-page.js';
import { notFound } from '../not-found.js';
import { formatTable, oneLine } from '../table.js';
import { parseSince } from '../time-arguments.js';
import { DATABASE_OPTION, printJson, withStore } from '../with-store.js';

interface KycFlags {
  decision?: string;
  since?: string;
  limit?: string;
  cursor?: string;
  json?: boolean;
  databaseUrl?: string;
}

export function registerKycCommand(program: Command): void {
  program
    .command('kyc')
    .description(
      "Print a user's KYC decision (by Persona reference-id) and why, their inquiries, verifications, cases and reports; without a reference-id, list users by decision, newest change first (the review queue: --decision needs_review).",
    )
    .argument('[reference-id]')
    .option('--decision <decision>', `list users with this decision: ${KYC_DECISION_VALUES.join(', ')}`)
    .option(
      '--since <time>',
      'list users whose decision changed since this ISO 8601 time or duration (72h, 7d)',
    )
    .option('--limit <n>', 'page size of the list (default 50)')
    .option('--cursor <cursor>', "the list's nextCursor of a previous page")
    .option('--json', 'print JSON instead of text')
    .option(...DATABASE_OPTION)
    .action(async (referenceId: string | undefined, flags: KycFlags) => {
      if (referenceId === undefined) return listUsers(flags);
      const listing = ['decision', 'since', 'limit', 'cursor'].filter((flag) => flag in flags);
      if (listing.length > 0) {
        throw new InvalidArgumentError(
          `--${listing[0]} lists users: give it without a reference-id (or the reference-id alone)`,
        );
      }
      const json = await withStore(flags.databaseUrl, (store) => userJson(store, referenceId));
      if (!json) {
        return notFound(
          `no user with reference id ${referenceId}: no inquiry, account, transaction, case or report of theirs is stored`,
          flags.databaseUrl,
        );
      }
      if (flags.json) return printJson(json);
      process.stdout.write(describeKyc(json));
    });
}

async function userJson(store: Store, referenceId: string) {
  const kyc = await store.getKyc(referenceId);
  if (!kyc) return null;
  return kycJson(kyc, await store.listVerifications(kyc.inquiries.map((i) => i.inquiryId)));
}

/** One page of users by decision, newest change first, as `events list` prints events. */
async function listUsers(flags: KycFlags): Promise<void> {
  const decision = listStatus(flags.decision, KYC_DECISION_VALUES, '--decision');
  const changedSinceMs = flags.since === undefined ? undefined : parseSince(flags.since, '--since');
  const limit = listLimit(flags.limit ?? '50');
  const page = await withStore(flags.databaseUrl, async (store) =>
    kycPageJson(
      await store.listKyc({
        limit,
        ...(decision ? { decision } : {}),
        ...(changedSinceMs !== undefined ? { changedSinceMs } : {}),
        ...(flags.cursor ? { cursor: flags.cursor } : {}),
      }),
    ),
  );
  printListPage({
    noun: 'users',
    rows: page.users,
    nextCursor: page.nextCursor,
    json: flags.json,
    databaseUrl: flags.databaseUrl,
    head: ['CHANGED', 'DECISION', 'USER', 'REASONS', 'NEWEST INQUIRY', 'STATUS'],
    cells: (user) => [
      utcTime(user.changedAt),
      user.decision,
      user.referenceId,
      oneLine(user.reasons.map((reason) => reason.code).join(', '), 60),
      user.inquiryId,
      user.status,
    ],
  });
}

/**
 * The decision and each reason (with the event that set it), then one table each of inquiries,
 * verifications, cases and reports; a table with no rows is left out.
 */
function describeKyc(kyc: ReturnType<typeof kycJson>): string {
  let text = `${kyc.referenceId}: ${kyc.decision}\n`;
  text +=
    kyc.inquiryId === null
      ? 'no inquiry yet\n'
      : `newest inquiry ${kyc.inquiryId}: ${kyc.status ?? 'unknown'} (updated ${utcTime(kyc.updatedAt)})\n`;
  text += '\nwhy:\n';
  for (const reason of kyc.reasons) {
    const about = [reason.fact, reason.id, reason.status].filter((part) => part).join(' ');
    const event = reason.eventId ? `event ${reason.eventId} ${utcTime(reason.at)}` : 'no event';
    text += `  ${reason.code}: ${reason.message} (${about}; ${event})\n`;
  }
  if (kyc.inquiries.length > 0) {
    text += `\n${formatTable(
      ['INQUIRY', 'STATUS', 'STATUS SINCE', 'CREATED', 'REDACTED'],
      kyc.inquiries.map((i) => [
        i.inquiryId,
        i.status,
        utcTime(i.statusAt),
        utcTime(i.createdAt),
        utcTime(i.redactedAt),
      ]),
    )}`;
  }
  const verifications = kyc.inquiries.flatMap((i) =>
    i.verifications.map((v) => ({ ...v, inquiryId: i.inquiryId })),
  );
  if (verifications.length > 0) {
    text += `\n${formatTable(
      ['VERIFICATION', 'TYPE', 'STATUS', 'SINCE', 'INQUIRY'],
      verifications.map((v) => [v.verificationId, v.type, v.status, utcTime(v.statusAt), v.inquiryId]),
    )}`;
  }
  if (kyc.cases.length > 0) {
    text += `\n${formatTable(
      ['CASE', 'STATUS', 'RESOLUTION', 'SINCE', 'EVENT'],
      kyc.cases.map((c) => [c.caseId, c.status, c.resolution, utcTime(c.statusAt), c.statusEventId]),
    )}`;
  }
  if (kyc.reports.length > 0) {
    text += `\n${formatTable(
      ['REPORT', 'TYPE', 'MATCH', 'MONITORED', 'STATUS', 'SINCE', 'EVENT'],
      kyc.reports.map((r) => [
        r.reportId,
        r.type,
        yesNo(r.hasMatch),
        yesNo(r.isContinuous),
        r.status,
        utcTime(r.statusAt),
        r.statusEventId,
      ]),
    )}`;
  }
  return text;
}

function yesNo(value: boolean | null): string | null {
  return value === null ? null : value ? 'yes' : 'no';
}
