/**
 * Registers the user's own handlers (PERSONA_WEBHOOKS_HANDLERS, see `handlers-module.ts`) on the
 * dispatcher the worker runs.
 */
import type { Dispatcher } from 'persona-webhooks';
import { importHandlersModule } from './handlers-module.js';

/** Imports the handlers module and lets its default export (if any) register handlers. */
export async function loadUserHandlers(modulePath: string, dispatcher: Dispatcher): Promise<void> {
  const { register } = await importHandlersModule(modulePath);
  if (register) await register(dispatcher);
}
