/**
 * The service's stdout is a stream of JSON log lines that log shippers parse line by line; a handler's
 * `console.log('granted', id)` in the middle of it is a line no parser reads. While `serve` runs, the
 * console (the user's handlers module is the only code in the process that writes to it) is routed
 * through the logger instead: each call becomes one JSON line with `msg: "handler_console"`, the
 * console method's level (`log`/`info` → info, `debug`/`trace` → debug, `warn` → warn, `error` → error),
 * the method and the formatted `text` (at most `MAX_CONSOLE_TEXT` characters). The text is the handler's
 * own words, logged as written: what a handler prints about a person is its author's choice.
 */
import { format } from 'node:util';
import type { Logger } from './logger.js';

/** Longest console text kept per line: a handler dumping a whole payload should not flood the log. */
export const MAX_CONSOLE_TEXT = 2_000;

const LEVELS = {
  log: 'info',
  info: 'info',
  debug: 'debug',
  trace: 'debug',
  warn: 'warn',
  error: 'error',
} as const;

type ConsoleMethod = keyof typeof LEVELS;

/**
 * Routes `console.log/info/debug/trace/warn/error` through `logger` until the returned function is
 * called, which puts the original methods back.
 *
 * @example
 * const restore = routeConsoleToLogger(logger);
 * console.log('granted %s', 'user-1'); // {"level":30,"msg":"handler_console","method":"log","text":"granted user-1",…}
 * restore();
 */
export function routeConsoleToLogger(logger: Logger, target: Console = console): () => void {
  const originals = new Map<ConsoleMethod, Console[ConsoleMethod]>();
  for (const method of Object.keys(LEVELS) as ConsoleMethod[]) {
    originals.set(method, target[method]);
    target[method] = (...args: unknown[]) => {
      const text = format(...args);
      logger[LEVELS[method]](
        {
          method,
          text: text.length > MAX_CONSOLE_TEXT ? `${text.slice(0, MAX_CONSOLE_TEXT - 1)}…` : text,
        },
        'handler_console',
      );
    };
  }
  return () => {
    for (const [method, original] of originals) target[method] = original;
  };
}
