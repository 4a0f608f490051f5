/**
 * The signed ping: a request `persona-webhooks doctor` sends to check, end to end, that a receiver is
 * reachable and verifies signatures with the webhook's secret. It is not a Persona event (Persona sends
 * none like it): the body is `{"data":{"type":"ping","id":"ping_…","attributes":{"created-at":"…"}}}`,
 * signed exactly like a delivery. A pipeline answers a correctly signed ping
 * `200 {"received":true,"ping":true}` and stores nothing; an unsigned or wrongly signed one gets the same
 * 401 as any delivery.
 */
import { personaId } from '../simulate/persona-ids.js';

const decoder = new TextDecoder();

/**
 * A fresh ping body to sign and send.
 *
 * @example
 * const body = buildPingBody();
 * await fetch(url, { method: 'POST', body, headers: { 'persona-signature': sign({ secret, body }) } });
 */
export function buildPingBody(now: Date = new Date()): string {
  return JSON.stringify({
    data: { type: 'ping', id: personaId('ping'), attributes: { 'created-at': now.toISOString() } },
  });
}

/** Whether a (verified) body is a ping. Never throws. */
export function isPingBody(body: Uint8Array | string): boolean {
  try {
    const root = JSON.parse(typeof body === 'string' ? body : decoder.decode(body)) as unknown;
    const data = (root as { data?: unknown } | null)?.data as { type?: unknown; id?: unknown } | undefined;
    return data?.type === 'ping' && typeof data.id === 'string';
  } catch {
    return false;
  }
}
