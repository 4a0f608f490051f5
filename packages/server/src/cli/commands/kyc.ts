import type { Command } from 'commander';
import { kycJson } from '../../server/admin-views.js';
import { utcTime } from '../../utc-time.js';
import { notFound } from '../not-found.js';
import { formatTable } from '../table.js';
import { DATABASE_OPTION, printJson, withStore } from '../with-store.js';

export function registerKycCommand(program: Command): void {
  program
    .command('kyc')
    .description(
      "Print a user's KYC decision (by Persona reference-id) and why, their inquiries, verifications, cases and reports.",
    )
    .argument('<reference-id>')
    .option('--json', 'print JSON instead of text')
    .option(...DATABASE_OPTION)
    .action(async (referenceId: string, flags: { json?: boolean; databaseUrl?: string }) => {
      const json = await withStore(flags.databaseUrl, async (store) => {
        const kyc = await store.getKyc(referenceId);
        if (!kyc) return null;
        return kycJson(kyc, await store.listVerifications(kyc.inquiries.map((i) => i.inquiryId)));
      });
      if (!json) {
        return notFound(
          `no user with reference id ${referenceId}: no inquiry, account, case or report of theirs is stored`,
          flags.databaseUrl,
        );
      }
      if (flags.json) return printJson(json);
      process.stdout.write(describeKyc(json));
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
