/**
 * Helpers for your own tests (`persona-webhooks/testing`): build realistic Persona events and sign them
 * exactly as Persona does.
 *
 * @example
 * const { body } = buildEvent({ name: 'inquiry.approved', referenceId: 'user-1' });
 * await fetch(url, { method: 'POST', body, headers: { 'persona-signature': sign({ secret, body }) } });
 */

export { buildPingBody } from './pipeline/ping.js';
export { sign } from './signature/node-crypto.js';
export { type BuildEventOptions, type BuiltEvent, buildEvent } from './simulate/build-event.js';
export { personaId } from './simulate/persona-ids.js';
