/**
 * Error answers written below Fastify — on the raw socket (Node's HTTP parser rejected the request
 * before any route ran) or on the raw response (the router rejected the URL) — in the same
 * `{"error":{"code","message"}}` shape as every other answer of the service.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SECURITY_HEADERS, withSecurityHeaders } from './security-headers.js';

/** How Node's client errors are answered: the parser's codes mapped to a status and a stable code. */
function clientErrorAnswer(code: string | undefined): { status: number; code: string; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'headers_too_large', message: 'The request headers are too large.' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      code: 'request_timeout',
      message: 'The request did not arrive in time; send the headers and the body without pausing.',
    };
  }
  return { status: 400, code: 'bad_request', message: 'The request is not valid HTTP.' };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/** Longest wait for an early error answer to leave before the socket is destroyed regardless. */
const ANSWER_FLUSH_MS = 1_000;

/**
 * Ends a connection after an answer that cut its request short (408, 413, 400, 431, 503 busy): sends
 * what is queued, then destroys the socket. Node's HTTP server allows half-open sockets, so `end()` alone
 * sends FIN but keeps reading whatever the client trickles, for as long as it likes — a slow client then
 * holds a socket (and a file descriptor) long after its 408.
 */
export function destroyAfterAnswer(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.writableFinished) {
    socket.destroy();
    return;
  }
  // A client that reads nothing could keep the answer queued; the close does not wait for it.
  const timer = setTimeout(() => socket.destroy(), ANSWER_FLUSH_MS);
  timer.unref();
  socket.once('finish', () => {
    clearTimeout(timer);
    socket.destroy();
  });
  socket.end();
}

/**
 * Fastify's `clientErrorHandler`: answers what Node's parser refused (invalid header bytes, oversized
 * headers, a request that took too long) and closes the connection. A reset connection gets nothing:
 * nobody is left to read an answer.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): boolean {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return false;
  }
  const answer = clientErrorAnswer(error.code);
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
  socket.write(
    [
      `HTTP/1.1 ${answer.status} ${REASONS[answer.status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
  destroyAfterAnswer(socket);
  return true;
}

/**
 * Writes one of our JSON errors on a raw response (router callbacks get no Fastify reply). When the
 * request's body is still arriving the answer closes the connection, so Node destroys the socket after
 * it instead of reading the rest of the body for as long as the client trickles it.
 */
export function writeRawError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ error: { code, message } });
  withSecurityHeaders(res);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...(res.req.complete === false ? { connection: 'close' } : {}),
  });
  res.end(body);
}
