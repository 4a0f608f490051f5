import { PayloadTooLargeError, RequestAbortedError } from '../errors.js';

/** First allocation when the length is not declared; doubles as the body grows, up to the limit. */
const INITIAL_CAPACITY = 16 * 1024;

/**
 * Reads a byte stream to the end, refusing it as soon as the declared length or the bytes read so far
 * exceed `limitBytes`, so an oversized body is never buffered whole. Portable: no `node:` imports.
 *
 * Each chunk is copied into one buffer and let go at once. Keeping the chunks and joining them at the
 * end would hold one object per socket read: a client writing its body a byte at a time would then
 * cost ~80 bytes of memory per byte sent. A stream that fails before its end (the client hung up, a
 * broken chunked encoding) rejects with `RequestAbortedError`.
 */
export async function readLimited(
  chunks: AsyncIterable<Uint8Array>,
  contentLength: string | null | undefined,
  limitBytes: number,
): Promise<Uint8Array> {
  const declared = Number(contentLength ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);

  // A declared length is only a hint (it may lie); the limit is enforced on the bytes that arrive.
  let body: Uint8Array = new Uint8Array(
    Number.isSafeInteger(declared) && declared > 0 ? declared : Math.min(INITIAL_CAPACITY, limitBytes),
  );
  let received = 0;
  try {
    for await (const chunk of chunks) {
      // Throwing inside for-await calls the iterator's return(), which stops the underlying stream.
      if (received + chunk.byteLength > limitBytes) throw new PayloadTooLargeError(limitBytes);
      if (received + chunk.byteLength > body.byteLength)
        body = grow(body, received + chunk.byteLength, limitBytes);
      body.set(chunk, received);
      received += chunk.byteLength;
    }
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw error;
    throw new RequestAbortedError({ cause: error });
  }
  return received === body.byteLength ? body : body.subarray(0, received);
}

/** A larger buffer holding `body`'s bytes: at least `needed`, doubling, never past `limit`. */
function grow(body: Uint8Array, needed: number, limit: number): Uint8Array {
  const larger = new Uint8Array(Math.min(Math.max(needed, body.byteLength * 2), limit));
  larger.set(body);
  return larger;
}
