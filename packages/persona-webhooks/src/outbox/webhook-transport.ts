/**
 * How an attempt's POST goes over the wire, apart from what it means (signing, outcome, attempt log,
 * in `post-webhook.ts`). The default is `fetch`; a caller with a cheaper client can pass its own: a busy
 * outbox spends about half its CPU in fetch's WHATWG machinery (Request, Headers, web streams), so the
 * service passes undici's `request` on its checked Agent instead (`packages/server`). Either way the
 * redirect is not followed and only the first `maxBytes` of the answer are read.
 */

/** One POST as the transport sends it. */
export interface TransportRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Aborts the attempt, connection included (the timeout). */
  signal: AbortSignal;
  /** Read at most about this many bytes of the answer's body, then drop the rest unread. */
  maxBytes: number;
}

/** What came back: the status, and the first bytes of the body (null or empty when none). */
export interface TransportResponse {
  status: number;
  excerpt: Uint8Array | null;
}

/**
 * Sends one POST without following a redirect. Rejects when no answer came: on abort with an error
 * named `TimeoutError` or `AbortError`; otherwise with an error whose `code` (or whose `cause`'s code)
 * says why, e.g. `ECONNREFUSED`, or `EDESTINATIONREFUSED` with the refusal as its message.
 */
export type WebhookTransport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * The transport over a `fetch` (default the global one).
 *
 * @example
 * const transport = fetchTransport(fetch);
 */
export function fetchTransport(send: typeof fetch = fetch): WebhookTransport {
  return async (request) => {
    const response = await send(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal,
    });
    return { status: response.status, excerpt: await readExcerpt(response, request.maxBytes) };
  };
}

/**
 * Reads at most `maxBytes` of the body (a receiver may answer with megabytes, or never end), then
 * cancels the rest. A body that fails midway keeps what came.
 */
async function readExcerpt(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
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
  return size === 0 ? null : Buffer.concat(chunks);
}
