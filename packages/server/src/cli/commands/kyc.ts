import type { Command } from 'commander';
import { kycJson } from '../../server/admin-views.js';
import { printJson, withStore } from '../with-store.js';

export function registerKycCommand(program: Command): void {
  program
    .command('kyc')
    .description("Print a user's KYC status (by Persona reference-id) and their inquiries.")
    .argument('<reference-id>')
    .option(
      '--database-url <url>',
      'sqlite:<path> or postgres://… (default: DATABASE_URL or the default SQLite file)',
    )
    .action(async (referenceId: string, flags: { databaseUrl?: string }) => {
      const kyc = await withStore(flags.databaseUrl, (store) => store.getKyc(referenceId));
      if (!kyc) {
        process.stderr.write(`no inquiry with reference id ${referenceId}\n`);
        process.exitCode = 1;
        return;
      }
      printJson(kycJson(kyc));
    });
}
