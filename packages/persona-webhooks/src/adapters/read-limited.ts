import { PayloadTooLargeError } from '../errors.js';

/**
 * Reads a byte stream to the end, refusing it as soon as the declared length or the bytes read so far
 * exceed `limitBytes`, so an oversized body is never buffered whole. Portable: no `node:` imports.
 */
export async function readLimited(
  chunks: AsyncIterable<Uint8Array>,
  contentLength: string | null | undefined,
  limitBytes: number,
): Promise<Uint8Array> {
  const declared = Number(contentLength ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);

  const parts: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of chunks) {
    received += chunk.byteLength;
    // Throwing inside for-await calls the iterator's return(), which stops the underlying stream.
    if (received > limitBytes) throw new PayloadTooLargeError(limitBytes);
    parts.push(chunk);
  }
  if (parts.length === 1) return parts[0]!;
  const body = new Uint8Array(received);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
