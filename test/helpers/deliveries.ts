import { sign } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import {
  type BuildEventOptions,
  buildEvent,
} from '../../packages/persona-webhooks/src/simulate/build-event.js';

export const SECRET = 'wbhsec_test_0123456789abcdef';

/** Persona's headers for one delivery of `body`, signed with `secret`. */
export function personaHeaders(
  body: string | Uint8Array,
  secret = SECRET,
  timestamp?: number,
): Record<string, string> {
  return {
    'content-type': 'application/json; charset=utf-8',
    'persona-signature': sign({ secret, body, ...(timestamp === undefined ? {} : { timestamp }) }),
    'persona-webhook-attempts-made': '1',
    'persona-webhook-attempts-left': '7',
    'persona-webhook-first-attempted-at': String(Math.floor(Date.now() / 1000)),
  };
}

/** A realistic signed delivery of one event. */
export function signedEvent(options: BuildEventOptions, secret = SECRET) {
  const event = buildEvent(options);
  return { ...event, headers: personaHeaders(event.body, secret) };
}

/**
 * A well-formed, current Persona-Signature whose HMAC matches nothing: it passes the checks made before
 * the body is read, so a test can reach the body limit (413) or the HMAC check itself.
 */
export function plausibleSignatureHeaders(): Record<string, string> {
  return { 'persona-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` };
}
