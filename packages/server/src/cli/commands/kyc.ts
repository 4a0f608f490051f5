import type { Command } from 'commander';
import { kycJson } from '../../server/admin-views.js';
import { utcTime } from '../../utc-time.js';
import { formatTable } from '../table.js';
import { printJson, withStore } from '../with-store.js';

export function registerKycCommand(program: Command): void {
  program
    .command('kyc')
    .description("Print a user's KYC status (by Persona reference-id), their inquiries and verifications.")
    .argument('<reference-id>')
    .option('--json', 'print JSON instead of text')
    .option(
      '--database-url <url>',
      'sqlite:<path> or postgres://… (default: DATABASE_URL or the default SQLite file)',
    )
    .action(async (referenceId: string, flags: { json?: boolean; databaseUrl?: string }) => {
      const json = await withStore(flags.databaseUrl, async (store) => {
        const kyc = await store.getKyc(referenceId);
        if (!kyc) return null;
        return kycJson(kyc, await store.listVerifications(kyc.inquiries.map((i) => i.inquiryId)));
      });
      if (!json) {
        process.stderr.write(`no inquiry with reference id ${referenceId}\n`);
        process.exitCode = 1;
        return;
      }
      if (flags.json) return printJson(json);
      process.stdout.write(describeKyc(json));
    });
}

/** The status line, then one table of inquiries and one of their verifications. */
function describeKyc(kyc: ReturnType<typeof kycJson>): string {
  let text = `${kyc.referenceId}: ${kyc.status ?? 'unknown'} (inquiry ${kyc.inquiryId}, updated ${utcTime(kyc.updatedAt)})\n\n`;
  text += formatTable(
    ['INQUIRY', 'STATUS', 'STATUS SINCE', 'CREATED', 'REDACTED'],
    kyc.inquiries.map((i) => [
      i.inquiryId,
      i.status,
      utcTime(i.statusAt),
      utcTime(i.createdAt),
      utcTime(i.redactedAt),
    ]),
  );
  const verifications = kyc.inquiries.flatMap((i) =>
    i.verifications.map((v) => ({ ...v, inquiryId: i.inquiryId })),
  );
  if (verifications.length > 0) {
    text += `\n${formatTable(
      ['VERIFICATION', 'TYPE', 'STATUS', 'SINCE', 'INQUIRY'],
      verifications.map((v) => [v.verificationId, v.type, v.status, utcTime(v.statusAt), v.inquiryId]),
    )}`;
  }
  return text;
}
