/**
 * `persona-webhooks`: a thin, strict CLI over the library. Each command lives in its own file.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { InvalidCursorError } from 'persona-webhooks';
import { parseDatabaseUrl } from '../open-store.js';
import { ConfigError } from '../server/config/service-config.js';
import { serverVersion } from '../version.js';
import { registerBackfillCommand } from './commands/backfill.js';
import { registerDeliveriesCommands } from './commands/deliveries.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerEmulateCommand } from './commands/emulate.js';
import { registerEndpointsCommands } from './commands/endpoints.js';
import { registerEventsCommands } from './commands/events.js';
import { registerKycCommand } from './commands/kyc.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerSendCommand } from './commands/send.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokensCommands } from './commands/tokens.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerWebhooksCommands } from './commands/webhooks.js';
import { databaseUrlFrom } from './settings.js';

export function buildProgram(): Command {
  const program = new Command('persona-webhooks')
    .description('Receive, test, inspect and replay Persona webhooks; recover missed ones; check the setup.')
    .version(serverVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  // Every command that opens the store refuses a DATABASE_URL it cannot open before doing anything
  // else (`endpoints add` would otherwise resolve the URL's host first).
  program.hook('preAction', (_program, action) => {
    if (action.options.some((option) => option.long === '--database-url')) {
      parseDatabaseUrl(databaseUrlFrom(action.opts<{ databaseUrl?: string }>().databaseUrl));
    }
  });
  registerServeCommand(program);
  registerSendCommand(program);
  registerVerifyCommand(program);
  registerEventsCommands(program);
  registerKycCommand(program);
  registerMigrateCommand(program);
  registerBackfillCommand(program);
  registerDoctorCommand(program);
  registerWebhooksCommands(program);
  registerTokensCommands(program);
  registerEndpointsCommands(program);
  registerDeliveriesCommands(program);
  registerEmulateCommand(program);
  return program;
}

/** Runs the CLI; exits with the command's code. Errors a user must fix print one line, no stack. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // Thrown by a command's own checks (commander prints the ones it raises itself before rethrowing).
    if (error instanceof InvalidArgumentError) {
      process.stderr.write(`persona-webhooks: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    // A mistyped or stale --cursor of a list command: the user's to fix, not a crash.
    if (error instanceof ConfigError || error instanceof InvalidCursorError) {
      process.stderr.write(`persona-webhooks: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}
