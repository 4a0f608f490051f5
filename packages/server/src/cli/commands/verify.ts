import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { diagnoseSignature } from '../diagnose-signature.js';

interface VerifyFlags {
  secret?: string;
  header: string;
  bodyFile?: string;
  tolerance: string;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('Check a Persona-Signature header against a body; explain which check fails and why.')
    .option('--secret <secrets>', 'webhook secret(s), comma-separated (default: PERSONA_WEBHOOK_SECRET)')
    .requiredOption('--header <value>', 'the Persona-Signature header value, e.g. "t=…,v1=…"')
    .option('--body-file <file>', 'file holding the exact request body (default: read stdin)')
    .option('--tolerance <seconds>', 'timestamp tolerance; 0 disables (useful for saved deliveries)', '300')
    .action(async (flags: VerifyFlags) => {
      const secrets = (flags.secret ?? process.env['PERSONA_WEBHOOK_SECRET'] ?? '')
        .split(',')
        .filter((s) => s.length > 0);
      if (secrets.length === 0)
        throw new InvalidArgumentError('--secret is required (or set PERSONA_WEBHOOK_SECRET)');
      const toleranceSeconds = Number(flags.tolerance);
      if (!Number.isInteger(toleranceSeconds) || toleranceSeconds < 0) {
        throw new InvalidArgumentError('--tolerance must be a whole number of seconds');
      }
      const body = flags.bodyFile ? await readFile(flags.bodyFile) : await readStdin();
      const diagnosis = diagnoseSignature({ body, header: flags.header, secrets, toleranceSeconds });
      (diagnosis.ok ? process.stdout : process.stderr).write(
        diagnosis.ok
          ? `${diagnosis.explanation}\n`
          : `Invalid signature (${diagnosis.check}).\n${diagnosis.explanation}\n`,
      );
      process.exitCode = diagnosis.ok ? 0 : 1;
    });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
