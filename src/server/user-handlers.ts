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
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { ConfigError } from './config.js';

export type RegisterHandlers = (webhooks: Dispatcher) => void | Promise<void>;

export async function loadUserHandlers(modulePath: string, dispatcher: Dispatcher): Promise<void> {
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
