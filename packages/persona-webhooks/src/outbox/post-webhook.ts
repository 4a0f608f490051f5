/**
 * One signed POST of a message to an application endpoint, as the delivery worker makes each attempt
 * (and the service's `endpoints test` makes its test message): Standard Webhooks headers, a timeout
 * covering the connection, redirects not followed (a 3xx is a failure: the signature is for this
 * URL), and an outcome that keeps the first KiB of the answer and the headers sent, signatures masked.
 */
import type { DeliveryResult } from './outbox-types.js';
import { signStandardWebhook } from './standard-webhooks.js';

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
    const response = await (options.fetch ?? fetch)(options.url, {
      method: 'POST',
      headers,
      body: options.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The first KiB of the answer, for the attempt log: "HTTP 400" alone does not say what was wrong.
    const responseExcerpt = await readExcerpt(response);
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

/**
 * Reads at most {@link RESPONSE_EXCERPT_BYTES} of the body, then drops the rest unread (a receiver may
 * answer with megabytes, or never end). Null for an empty body; a body that fails midway keeps what
 * came. Decoded as UTF-8 with replacement: it is shown as text, escaped.
 */
async function readExcerpt(response: Response): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The connection broke or timed out while reading: keep what came.
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (size === 0) return null;
  const bytes = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
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
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  // A fetch that refuses a destination (the service's address check) says why in its own words.
  if (cause?.code === 'EDESTINATIONREFUSED' && typeof cause.message === 'string') return cause.message;
  return cause?.code ? `connection failed (${cause.code})` : 'connection failed';
}
