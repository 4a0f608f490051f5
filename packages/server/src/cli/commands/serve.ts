import type { Command } from 'commander';
import { loadConfig } from '../../server/config/service-config.js';
import { routeConsoleToLogger } from '../../server/observability/console-to-log.js';
import { createLogger } from '../../server/observability/logger.js';
import { startService } from '../../server/service.js';
import { type ServeFlags, settingsFrom } from '../settings.js';
import { explainStartError } from '../start-errors.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the webhook receiver (the same as `npm start`); configured by environment variables or these flags.',
    )
    .option('--secret <secrets>', 'webhook secret(s), comma-separated (PERSONA_WEBHOOK_SECRET)')
    .option('--port <port>', 'port to listen on (PORT, default 3000)')
    .option('--host <host>', 'address to listen on (HOST, default 0.0.0.0)')
    .option('--database-url <url>', 'sqlite:<path> or postgres://… (DATABASE_URL)')
    .option('--admin-token <token>', 'bearer token for /api/* (ADMIN_TOKEN)')
    .option(
      '--tolerance <seconds>',
      'signature timestamp tolerance, 0 disables (PERSONA_SIGNATURE_TOLERANCE_SECONDS)',
    )
    .option('--max-body-bytes <bytes>', 'body size limit (PERSONA_WEBHOOK_MAX_BODY_BYTES)')
    .option('--handlers <path>', 'module of your own handlers (PERSONA_WEBHOOKS_HANDLERS)')
    .option('--log-level <level>', 'log level (LOG_LEVEL, default info)')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig(settingsFrom(process.env, flags));
      const logger = createLogger({ level: config.logLevel });
      // Before the handlers module loads, so what it prints at import time is a log line too.
      const restoreConsole = routeConsoleToLogger(logger);
      const service = await startService(config, logger).catch((error: unknown) => {
        restoreConsole();
        throw explainStartError(error, config);
      });
      logger.info(
        {
          listening: service.listening,
          url: service.url,
          database: config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@'),
        },
        `persona-webhooks listening on ${service.listening.join(', ')}`,
      );
      if (config.adminTokenGenerated) {
        // Printed once, on stderr, never logged: the operator needs it for /api/*.
        process.stderr.write(
          `\nADMIN_TOKEN was not set; generated one for this run:\n\n  ${config.adminToken}\n\nUse it as "Authorization: Bearer <token>" for /api/*. Set ADMIN_TOKEN to keep it stable.\n\n`,
        );
      }
      await waitForShutdown(service.stop, (signal) => logger.info({ signal }, 'shutting down'));
      logger.info('stopped');
      restoreConsole();
      // Everything we opened is closed; exit even if something (a driver's timer, a user handler's
      // socket) would keep the event loop alive, so a stop never hangs an orchestrator.
      await new Promise<void>((resolve) => logger.flush(() => resolve()));
      process.exit(0);
    });
}

/** Resolves after a graceful stop on SIGTERM/SIGINT; a second signal exits at once. */
function waitForShutdown(stop: () => Promise<void>, onSignal: (signal: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handle = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      onSignal(signal);
      stop().then(resolve, resolve);
    };
    process.on('SIGTERM', handle);
    process.on('SIGINT', handle);
  });
}
