/**
 * Loads the user's own handlers (PERSONA_WEBHOOKS_HANDLERS): a module whose default export registers
 * them on the dispatcher the worker runs.
 *
 * @example
 * // handlers.mjs
 * export default function register(webhooks) {
 *   webhooks.on('inquiry.approved', async (event) => { await grantAccess(event.object.attributes.referenceId); });
 * }
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Dispatcher } from 'persona-webhooks';
import { ConfigError } from './config.js';

export type RegisterHandlers = (webhooks: Dispatcher) => void | Promise<void>;

/** TypeScript needs a compiler Node 20 does not have: say so instead of failing with a syntax error. */
const TYPESCRIPT_MODULE = /\.[cm]?ts$/i;

export async function loadUserHandlers(modulePath: string, dispatcher: Dispatcher): Promise<void> {
  if (TYPESCRIPT_MODULE.test(modulePath)) {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: ${modulePath} is TypeScript, which Node.js cannot load by itself. Compile it to .js or .mjs (e.g. with tsc) and point the variable at the output.`,
    );
  }
  const url = pathToFileURL(resolve(modulePath)).href;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: cannot load ${modulePath}: ${(error as Error).message}`,
    );
  }
  if (typeof loaded.default !== 'function') {
    throw new ConfigError(
      `PERSONA_WEBHOOKS_HANDLERS: ${modulePath} must export a default function (webhooks) => { webhooks.on(...) }.`,
    );
  }
  await (loaded.default as RegisterHandlers)(dispatcher);
}
