/**
 * The Persona API client caps every answer it reads, counting while the body streams: hostile local
 * servers send 200 MB with an honest Content-Length, with none (chunked, and raw until the connection
 * closes), and with a Content-Length that understates it. Each call fails with `response_too_large`
 * naming the limit and PERSONA_API_MAX_RESPONSE_BYTES, without retrying and without reading the rest.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PersonaApiError } from '../../packages/server/src/persona-api/api-errors.js';
import { createApiClient, loadApiSettings } from '../../packages/server/src/persona-api/api-settings.js';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  PersonaApiClient,
} from '../../packages/server/src/persona-api/client.js';
import { ConfigError } from '../../packages/server/src/server/config/config-error.js';
import { loadConfig } from '../../packages/server/src/server/config/service-config.js';

const HUGE = 200 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);
const LIMIT = 1024 * 1024;

interface Hostile {
  url: string;
  requests: number;
  /** Bytes written before the client hung up. */
  sent: () => number;
  close(): Promise<void>;
}

let hostile: Hostile | undefined;
afterEach(async () => {
  await hostile?.close();
  hostile = undefined;
});

/** Writes `head` then up to HUGE bytes of a JSON-ish body, respecting backpressure, until the peer hangs up. */
async function pour(socket: Socket, head: string, counter: { sent: number }): Promise<void> {
  socket.on('error', () => {});
  socket.write(head);
  socket.write('{"data":[');
  while (counter.sent < HUGE && !socket.destroyed) {
    counter.sent += CHUNK.length;
    if (!socket.write(CHUNK)) {
      await new Promise<void>((resolve) => {
        socket.once('drain', resolve);
        socket.once('close', resolve);
      });
    }
  }
  socket.end();
}

/** A raw TCP server answering every request with `head` and then HUGE bytes. */
async function startRaw(head: string): Promise<Hostile> {
  const counter = { sent: 0 };
  let requests = 0;
  const server: Server = createTcpServer((socket) => {
    socket.once('data', () => {
      requests++;
      void pour(socket, head, counter);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    get requests() {
      return requests;
    },
    sent: () => counter.sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** node:http streaming a chunked answer (no Content-Length) forever. */
async function startChunked(): Promise<Hostile> {
  const counter = { sent: 0 };
  let requests = 0;
  const server: HttpServer = createHttpServer(async (_request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.on('error', () => {});
    while (counter.sent < HUGE && !response.destroyed) {
      counter.sent += CHUNK.length;
      if (!response.write(CHUNK)) {
        await new Promise<void>((resolve) => {
          response.once('drain', resolve);
          response.once('close', resolve);
        });
      }
    }
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    get requests() {
      return requests;
    },
    sent: () => counter.sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const client = (baseUrl: string, maxResponseBytes = LIMIT) =>
  new PersonaApiClient({
    apiKey: 'persona_sandbox_hostile_server_test',
    baseUrl,
    maxResponseBytes,
    retryBaseDelayMs: 1,
    timeoutMs: 20_000,
  });

async function expectTooLarge(call: Promise<unknown>, limit: number): Promise<PersonaApiError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PersonaApiError);
  const apiError = error as PersonaApiError;
  expect(apiError.code).toBe('response_too_large');
  expect(apiError.message).toContain(`more than ${limit} bytes`);
  expect(apiError.message).toContain('PERSONA_API_MAX_RESPONSE_BYTES');
  expect(apiError.message).not.toContain('persona_sandbox_hostile_server_test');
  return apiError;
}

describe('answer size limit', () => {
  it('refuses an announced 200 MB answer before reading its body', async () => {
    hostile = await startRaw(
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${HUGE + 10}\r\n\r\n`,
    );
    await expectTooLarge(client(hostile.url).get('/events'), LIMIT);
    expect(hostile.requests).toBe(1); // not retried
    expect(hostile.sent()).toBeLessThan(HUGE / 4);
  });

  it('cuts off a chunked answer with no Content-Length at the limit', async () => {
    hostile = await startChunked();
    const started = Date.now();
    await expectTooLarge(client(hostile.url).get('/events'), LIMIT);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(hostile.requests).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hostile.sent()).toBeLessThan(HUGE / 4);
  });

  it('cuts off an answer read until the connection closes (no length at all)', async () => {
    hostile = await startRaw(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n',
    );
    await expectTooLarge(client(hostile.url).get('/events'), LIMIT);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hostile.sent()).toBeLessThan(HUGE / 4);
  });

  it('a Content-Length under the limit cannot smuggle in more: reading stops at the limit or the length', async () => {
    hostile = await startRaw(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n',
    );
    const error = await client(hostile.url)
      .get('/events')
      .then(
        () => null,
        (e: unknown) => e as PersonaApiError,
      );
    // 1,000 bytes of a list that never ends are not JSON: refused, and nothing past them was kept.
    expect(error?.code).toBe('invalid_response');
  });

  it('applies to error answers too, and to each page of a list', async () => {
    hostile = await startRaw(
      'HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n',
    );
    await expectTooLarge(client(hostile.url).get('/events'), LIMIT);
    await hostile.close();
    hostile = await startChunked();
    const pages = client(hostile.url).pages('/events');
    await expectTooLarge(pages.next(), LIMIT);
  });

  it('reads answers up to the limit as before', async () => {
    const body = JSON.stringify({ data: [{ id: 'evt_1', pad: 'x'.repeat(LIMIT - 100) }] });
    const server = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
      const answer = await client(url).get('/events');
      expect(answer.text).toBe(body);
      await expectTooLarge(client(url, LIMIT - 200).get('/events'), LIMIT - 200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('PERSONA_API_MAX_RESPONSE_BYTES', () => {
  it('defaults to 8 MiB, is read by the service config and the CLI, and is validated', async () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(8 * 1024 * 1024);
    expect(loadApiSettings({}).maxResponseBytes).toBe(DEFAULT_MAX_RESPONSE_BYTES);
    const config = loadConfig({
      PERSONA_WEBHOOK_SECRET: 'wbhsec_x',
      PERSONA_API_MAX_RESPONSE_BYTES: String(LIMIT),
    });
    expect(config.recovery.api.maxResponseBytes).toBe(LIMIT);
    for (const bad of ['0', '100', 'lots', '1.5', String(2 * 1024 * 1024 * 1024)]) {
      expect(() => loadApiSettings({ PERSONA_API_MAX_RESPONSE_BYTES: bad })).toThrow(ConfigError);
      expect(() => loadApiSettings({ PERSONA_API_MAX_RESPONSE_BYTES: bad })).toThrow(
        /PERSONA_API_MAX_RESPONSE_BYTES/,
      );
    }

    hostile = await startChunked();
    const settings = loadApiSettings({
      PERSONA_API_KEY: 'persona_sandbox_hostile_server_test',
      PERSONA_API_URL: hostile.url,
      PERSONA_API_MAX_RESPONSE_BYTES: '65536',
    });
    await expectTooLarge(createApiClient(settings, 'for the test').get('/events'), 65536);
  });
});
