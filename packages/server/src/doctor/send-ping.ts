/**
 * Sends the signed ping (see the library's `buildPingBody`) to a receiver URL, signed like a Persona
 * delivery with every given secret (two `t=…,v1=…` sets during a rotation), and reports what came back.
 * Loopback or not, the URL is the one the user named: nothing else is contacted.
 */
import { buildPingBody, sign } from 'persona-webhooks';

export type PingOutcome =
  /** The receiver verified the signature and recognised the ping. */
  | { kind: 'recognised'; status: number; ms: number }
  /** 2xx, but not the ping answer: a receiver that accepts anything, or an older version. */
  | { kind: 'accepted'; status: number; ms: number }
  /** Any other status, with the error code and reason of our own error body when present. */
  | { kind: 'refused'; status: number; ms: number; code: string | null; reason: string | null }
  /** No answer: connection refused, DNS, TLS, or the timeout. */
  | { kind: 'unreachable'; error: string };

export async function sendPing(
  url: string,
  secrets: readonly string[],
  timeoutMs: number,
): Promise<PingOutcome> {
  const body = buildPingBody();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = secrets.map((secret) => sign({ secret, body, timestamp })).join(' ');
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'persona-signature': signature,
        'persona-webhook-attempts-made': '1',
        'persona-webhook-attempts-left': '0',
        'persona-webhook-first-attempted-at': String(timestamp),
        'user-agent': 'persona-webhooks-doctor',
      },
    });
    const text = await response.text();
    const ms = Math.round(performance.now() - started);
    const json = parse(text);
    if (response.status >= 200 && response.status < 300) {
      return json?.ping === true
        ? { kind: 'recognised', status: response.status, ms }
        : { kind: 'accepted', status: response.status, ms };
    }
    return {
      kind: 'refused',
      status: response.status,
      ms,
      code: typeof json?.error?.code === 'string' ? json.error.code : null,
      reason: typeof json?.error?.reason === 'string' ? json.error.reason : null,
    };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      return { kind: 'unreachable', error: `no answer within ${timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'unreachable', error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

function parse(text: string): { ping?: unknown; error?: { code?: unknown; reason?: unknown } } | null {
  try {
    return JSON.parse(text) as { ping?: unknown; error?: { code?: unknown; reason?: unknown } };
  } catch {
    return null;
  }
}
