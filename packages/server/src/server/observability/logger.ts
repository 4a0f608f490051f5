/**
 * The service's logger: JSON lines (pino), readable when attached to a terminal. Payloads never reach
 * it — only ids, names, outcomes, durations and handler error messages with the payload's values
 * already replaced by `[redacted]` (the worker's `log-safe-error.ts`) — and the redact list is a second
 * line of defence against a header or secret slipping into a log call; it censors with the same word.
 */
import { type Logger, pino } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'secret',
  'secrets',
  'adminToken',
  'apiKey',
  'authorization',
  'req.headers.authorization',
  'req.headers["persona-signature"]',
  'headers.authorization',
  'headers["persona-signature"]',
  'payload',
  'body',
];

/** @example const logger = createLogger({ level: 'info' }); */
export function createLogger(options: {
  level: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}): Logger {
  const pretty = options.pretty ?? (process.stdout.isTTY === true && !options.destination);
  const base = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { service: 'persona-webhooks' },
  };
  if (pretty) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}

/**
 * Logs a bug (an error nothing mapped to an answer) with its type and code only: an error's message can
 * quote request data.
 */
export function logUnhandledError(logger: Logger, error: unknown, route: string | undefined): void {
  const { name, code } = error as { name?: string; code?: string };
  logger.error({ err: { type: name, code }, route }, 'unhandled error');
}
