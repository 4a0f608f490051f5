import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RawBodyUnavailableError, RequestAbortedError } from '../errors.js';
import { readLimited } from './read-limited.js';

/** What Express-style frameworks may have left on the request. */
interface MaybeParsedRequest extends IncomingMessage {
  rawBody?: unknown;
  body?: unknown;
}

/**
 * Reads a node request's exact bytes, refusing more than `limitBytes` as soon as the declared length or
 * the bytes read so far exceed it — never buffering an oversized body. If a body parser already consumed
 * the stream, uses its raw bytes (`req.rawBody`, or a Buffer `req.body` from `express.raw`) or refuses.
 */
export async function readNodeBody(req: IncomingMessage, limitBytes: number): Promise<Uint8Array> {
  const parsed = req as MaybeParsedRequest;
  if (parsed.rawBody instanceof Uint8Array) return checkedSize(parsed.rawBody, limitBytes);
  if (parsed.body instanceof Uint8Array) return checkedSize(parsed.body, limitBytes);
  // Consumed by a parser (the same test body-parser uses): the exact bytes are gone.
  if (req.readableEnded || (req.complete && !req.readable)) throw new RawBodyUnavailableError();

  const body = await readLimited(req, req.headers['content-length'], limitBytes);
  // The stream can end without an error when the client hangs up: only a complete message is a body.
  if (!req.complete) throw new RequestAbortedError();
  return body;
}

function checkedSize(body: Uint8Array, limitBytes: number): Uint8Array {
  if (body.byteLength > limitBytes) throw new PayloadTooLargeError(limitBytes);
  return body;
}
