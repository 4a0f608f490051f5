/**
 * One signed POST of a message to an application endpoint, as the delivery worker makes each attempt
 * (and the service's `endpoints test` makes its test message): Standard Webhooks headers, a timeout
 * covering the connection, redirects not followed (a 3xx is a failure: the signature is for this
 * URL), and an outcome that keeps the first KiB of the answer and the headers sent, signatures masked.
 */
import type { DeliveryResult } from './outbox-types.js';
import { signStandardWebhook } from './standard-webhooks.js';
import { fetchTransport, type WebhookTransport } from './webhook-transport.js';

const USER_AGENT = 'persona-webhooks-outbox';

/** How much of an answer's body an attempt keeps. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export interface PostWebhookOptions {
  url: string;
  /** The `webhook-id`. */
  id: string;
  payload: string;
  /** Every secret valid now (`whsec_…`), newest first; each signs. */
  secrets: readonly string[];
  timeoutMs: number;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** How the POST is sent; wins over `fetch`. Default: {@link fetchTransport} over `fetch`. */
  transport?: WebhookTransport;
  /** Default: Date.now. */
  now?: () => number;
}

/**
 * Sends one attempt; never throws: a failure is an outcome.
 *
 * @example
 * const result = await postStandardWebhook({ url, id: 'msg_1', payload, secrets: [secret], timeoutMs: 10_000 });
 */
export async function postStandardWebhook(options: PostWebhookOptions): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  if (options.secrets.length === 0) {
    return { ok: false, statusCode: null, error: 'the endpoint has no valid secret', durationMs: 0 };
  }
  let requestHeaders: Record<string, string> | null = null;
  try {
    const headers = {
      ...signStandardWebhook({
        id: options.id,
        timestampSeconds: Math.floor((options.now ?? Date.now)() / 1000),
        body: options.payload,
        secrets: options.secrets,
      }),
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
    };
    requestHeaders = maskSignatures(headers);
    const send = options.transport ?? fetchTransport(options.fetch);
    const response = await send({
      url: options.url,
      headers,
      body: options.payload,
      signal: AbortSignal.timeout(options.timeoutMs),
      // The first KiB of the answer, for the attempt log: "HTTP 400" alone does not say what was wrong.
      maxBytes: RESPONSE_EXCERPT_BYTES,
    });
    const responseExcerpt = decodeExcerpt(response.excerpt);
    const ok = response.status >= 200 && response.status < 300;
    return {
      ok,
      statusCode: response.status,
      error: ok ? null : `HTTP ${response.status}`,
      durationMs: elapsed(),
      responseExcerpt,
      requestHeaders,
    };
  } catch (error) {
    return {
      ok: false,
      statusCode: null,
      error: describeFailure(error, options.timeoutMs),
      durationMs: elapsed(),
      requestHeaders,
    };
  }
}

/** The excerpt as text: at most {@link RESPONSE_EXCERPT_BYTES}, UTF-8 with replacement (shown escaped). */
function decodeExcerpt(bytes: Uint8Array | null): string | null {
  if (bytes === null || bytes.byteLength === 0) return null;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, RESPONSE_EXCERPT_BYTES));
}

/** The headers as the attempt log keeps them: each signature's value masked, its scheme kept. */
function maskSignatures(headers: Record<string, string>): Record<string, string> {
  return {
    ...headers,
    'webhook-signature': (headers['webhook-signature'] ?? '')
      .split(' ')
      .map((signature) => `${signature.split(',')[0]},***`)
      .join(' '),
  };
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  // fetch wraps the reason in `cause`; other transports may throw it as is.
  type Reason = { code?: string; message?: string; cause?: Reason };
  const cause = (error as Reason).cause ?? (error as Reason);
  // A fetch that refuses a destination (the service's address check) says why in its own words.
  if (cause?.code === 'EDESTINATIONREFUSED' && typeof cause.message === 'string') return cause.message;
  return cause?.code ? `connection failed (${cause.code})` : 'connection failed';
}
