/**
 * Reads an answer's body with a size limit, counted while it streams: a server that sends more (with a
 * `Content-Length` saying so, a wrong one, or none at all) is cut off at the limit instead of growing
 * the process by whatever it sends. `Response.text()` would buffer all of it first.
 */

/** The answer was longer than the limit; nothing more was read. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the answer is longer than ${maxBytes} bytes`);
  }
}

/**
 * The body as UTF-8 text (a leading BOM dropped, as `Response.text()` does), or `BodyTooLargeError`
 * once more than `maxBytes` arrived (or were announced). The stream is cancelled either way it fails.
 *
 * @example
 * const text = await readCappedText(response, 8 * 1024 * 1024);
 */
export async function readCappedText(response: Response, maxBytes: number): Promise<string> {
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(maxBytes);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  return new TextDecoder().decode(Buffer.concat(chunks, total));
}
