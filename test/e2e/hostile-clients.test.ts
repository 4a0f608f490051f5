/**
 * The real service process under clients that do not play by the rules: slow bodies, bodies written a
 * byte at a time, broken-off requests, malformed HTTP, odd URLs, events dated far in the future. Every
 * answer is our JSON shape, memory stays bounded, and nothing a client does counts as a server error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plausibleSignatureHeaders, SECRET, signedEvent } from '../helpers/deliveries.js';
import {
  ADMIN_TOKEN,
  admin,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const REQUEST_TIMEOUT_SECONDS = 2;
let service: ServiceProcess;
let dir: string;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-hostile-'));
  service = await startServiceProcess({
    PERSONA_WEBHOOK_SECRET: SECRET,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    PERSONA_WEBHOOK_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
  });
  port = Number(new URL(service.url).port);
});

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The service process's resident memory, in bytes. */
function rssBytes(): number {
  const status = readFileSync(`/proc/${service.child.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}

function openSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Sends `raw` on a fresh connection and returns everything the server wrote before closing. The client
 * half-closes after a pause unless `keepOpen`, so a server that answers early is seen answering early.
 */
async function rawExchange(raw: string | Buffer, keepOpen = false): Promise<string> {
  const socket = await openSocket();
  let answer = '';
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  socket.write(raw);
  if (!keepOpen) setTimeout(() => socket.end(), 200);
  await closed;
  return answer;
}

/**
 * Sends `head` on a connection that allows half-open sockets, then a byte every `everyMs`, and resolves
 * when the server has closed it (a write failed, or the socket closed), or with `at: null` after
 * `giveUpMs`. A server that only half-closes (FIN) and keeps reading lets the writes go on succeeding,
 * so only a destroyed socket ends this.
 */
async function trickleUntilClosed(
  head: string,
  body: string,
  giveUpMs: number,
  everyMs = 200,
  toPort = port,
): Promise<{ at: number | null; answer: string }> {
  const socket = connect({ port: toPort, host: '127.0.0.1', allowHalfOpen: true });
  let answer = '';
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
  socket.write(head);
  let sent = 0;
  // Never the last byte: the request must stay unfinished.
  const drip = setInterval(() => {
    if (!socket.destroyed && sent < body.length - 1) socket.write(body[sent++]!);
  }, everyMs);
  const gaveUp = new Promise<null>((resolve) => setTimeout(() => resolve(null), giveUpMs));
  const at = await Promise.race([closedAt, gaveUp]);
  clearInterval(drip);
  socket.destroy();
  return { at, answer };
}

/** Status line and parsed JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(answer: string): {
  status: number;
  json: { error?: { code: string; message: string } };
} {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const json = body.trim().startsWith('{') ? JSON.parse(body.trim()) : {};
  return { status, json };
}

function webhookHead(
  contentLength: number,
  headers: Record<string, string> = plausibleSignatureHeaders(),
): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return [
    'POST /webhooks/persona HTTP/1.1',
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${contentLength}`,
    ...lines,
    '',
    '',
  ].join('\r\n');
}

/** Posts a signed delivery to the webhook route. */
function deliver(delivery: { body: string; headers: Record<string, string> }): Promise<Response> {
  return fetch(`${service.url}/webhooks/persona`, {
    method: 'POST',
    body: delivery.body,
    headers: delivery.headers,
  });
}

async function metric(series: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.slice(series.length).trim()) : Number.NaN;
}

describe('one error shape for every answer', () => {
  it.each([
    [
      'invalid header bytes',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad\u0001Name: y\r\n\r\n',
      400,
      'bad_request',
    ],
    [
      'oversized headers',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
    ['a URL that is not valid', 'GET /%%% HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'invalid_request'],
    ['an unknown route', 'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n', 404, 'not_found'],
    [
      'a path parameter longer than any id',
      `GET /api/events/${'e'.repeat(1_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
      'uri_too_long',
    ],
  ])('%s', async (_what, raw, status, code) => {
    const answer = parseAnswer(await rawExchange(raw));
    expect(answer.status).toBe(status);
    expect(answer.json.error?.code).toBe(code);
    expect(answer.json.error?.message).toEqual(expect.any(String));
  });

  it('answers a request whose headers never finish with 408 request_timeout, in time', async () => {
    const started = Date.now();
    const answer = parseAnswer(await rawExchange('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', true));
    expect(answer.status).toBe(408);
    expect(answer.json.error?.code).toBe('request_timeout');
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_SECONDS * 1000 + 3_000);
  });

  it('routes ids up to the 300-character limit: a stored event with such an id reads back and replays', async () => {
    const eventId = `evt_${'x'.repeat(296)}`;
    expect((await deliver(signedEvent({ name: 'inquiry.approved', eventId }))).status).toBe(200);
    const read = await admin(service.url, `/api/events/${eventId}`);
    expect(read.status).toBe(200);
    expect(read.json['id']).toBe(eventId);
    const unknown = await admin(service.url, `/api/kyc/${'u'.repeat(300)}`);
    expect(unknown.status).toBe(404);
    expect((unknown.json['error'] as { code: string }).code).toBe('not_found');
  });
});

describe('bounded cost per connection', () => {
  it('closes connections that send their body a byte a second, and memory stays flat', async () => {
    const before = rssBytes();
    const sockets = await Promise.all(Array.from({ length: 200 }, () => openSocket()));
    const closed = sockets.map(
      (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
    );
    const drips = sockets.map((socket) => {
      socket.on('error', () => {});
      socket.on('data', () => {});
      socket.write(webhookHead(10_000));
      return setInterval(() => socket.writable && socket.write('{'), 1_000);
    });
    try {
      const started = Date.now();
      await Promise.all(closed);
      // Cut off by the request timeout (checked every second), not left open as long as they like.
      expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_SECONDS * 1000 + 4_000);
    } finally {
      for (const drip of drips) clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    }
    console.log(`200 slow-body connections: RSS grew ${((rssBytes() - before) / 1048576).toFixed(1)} MB`);
    expect(rssBytes() - before).toBeLessThan(40 * 1024 * 1024);
  }, 30_000);

  it('destroys the socket after the 408 of a signed body that trickles: 30 clients at once are cut off', async () => {
    const started = Date.now();
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        const { body, headers } = signedEvent({ name: 'inquiry.approved', referenceId: `trickle-${i}` });
        const { 'content-type': _type, ...signature } = headers;
        // A fresh, correctly signed head, so the pipeline really starts reading the body.
        return trickleUntilClosed(
          webhookHead(Buffer.byteLength(body), signature),
          body,
          REQUEST_TIMEOUT_SECONDS * 1000 + 10_000,
        );
      }),
    );
    console.log(
      `30 trickling signed bodies: ${outcomes.filter((o) => o.answer.length > 0).length} read their 408 before the close`,
    );
    for (const { at, answer } of outcomes) {
      expect(at, 'the server kept the socket open and reading after its answer').not.toBeNull();
      expect(at! - started).toBeLessThan(REQUEST_TIMEOUT_SECONDS * 1000 + 4_000);
      if (answer.length > 0) expect(parseAnswer(answer).json.error?.code).toBe('request_timeout');
    }
  }, 30_000);

  it.each([
    ['a declared body over the limit (webhook)', webhookHead(10 * 1024 * 1024), 'payload_too_large'],
    [
      'a streamed body growing over the limit (webhook)',
      `${webhookHead(0).replace('Content-Length: 0\r\n', 'Transfer-Encoding: chunked\r\n')}300000\r\n${'{'.repeat(2_200_000)}`,
      'payload_too_large',
    ],
    [
      'a declared body over the limit (Fastify route)',
      `POST /api/events/replay HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n`,
      'payload_too_large',
    ],
    ['invalid header bytes', 'POST /healthz HTTP/1.1\r\nHost: x\r\nBad\u0001Name: y\r\n', 'bad_request'],
    [
      'oversized headers',
      `POST /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n`,
      'headers_too_large',
    ],
    [
      'a URL that is not valid, with a body',
      'POST /%%% HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n',
      'invalid_request',
    ],
    [
      'a body not read because the request is refused first (Fastify route)',
      'POST /api/events/replay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000\r\n\r\n',
      'unauthorized',
    ],
  ])(
    'closes the socket after an early answer to %s, however the client trickles',
    async (_what, head, code) => {
      const { at, answer } = await trickleUntilClosed(
        head,
        ' '.repeat(1_000),
        REQUEST_TIMEOUT_SECONDS * 1000 - 500,
        100,
      );
      expect(at, 'the server kept the socket open and reading after its answer').not.toBeNull();
      // The only answer: the request timeout's 408 never came on top of it.
      expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(answer).toContain(`"code":"${code}"`);
    },
  );

  it('holds a body written one byte at a time in one buffer, not one object per read', async () => {
    const before = rssBytes();
    const bodyBytes = 50_000;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const socket = await openSocket();
        socket.setNoDelay(true);
        socket.on('error', () => {});
        socket.on('data', () => {});
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.write(webhookHead(bodyBytes));
        // Under load a connection may be cut off by the request timeout (its socket destroyed): stop then.
        for (let i = 0; i < bodyBytes && !socket.destroyed; i++) {
          if (!socket.write(' ')) {
            await new Promise((resolve) => {
              socket.once('drain', resolve);
              socket.once('close', resolve);
            });
          }
        }
        socket.end();
        await closed;
      }),
    );
    // 20 × 50 kB sent; buffered in one piece per connection that is ~1 MB, not tens of MB of chunk objects.
    console.log(
      `20 × 50 kB written a byte at a time: RSS grew ${((rssBytes() - before) / 1048576).toFixed(1)} MB`,
    );
    expect(rssBytes() - before).toBeLessThan(30 * 1024 * 1024);
  }, 60_000);
});

describe('a receiver at its limit of bodies read at once', () => {
  let busy: ServiceProcess;
  beforeAll(async () => {
    busy = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'busy.sqlite')}`,
      PERSONA_WEBHOOK_REQUEST_TIMEOUT_SECONDS: String(REQUEST_TIMEOUT_SECONDS),
      PERSONA_WEBHOOK_MAX_CONCURRENT_BODIES: '1',
    });
  });
  afterAll(() => busy?.stop());

  it('closes the socket after its 503 receiver_busy, however the client trickles', async () => {
    const busyPort = Number(new URL(busy.url).port);
    // One body being read takes the only slot.
    const holder = connect(busyPort, '127.0.0.1');
    holder.on('error', () => {});
    holder.write(`${webhookHead(500)}{`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      const { at, answer } = await trickleUntilClosed(
        webhookHead(500),
        ' '.repeat(1_000),
        REQUEST_TIMEOUT_SECONDS * 1000 - 500,
        100,
        busyPort,
      );
      expect(at, 'the server kept the socket open and reading after its answer').not.toBeNull();
      expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(answer).toContain('"code":"receiver_busy"');
    } finally {
      holder.destroy();
    }
  });
});

describe('clients that hang up', () => {
  it('counts a broken-off request as aborted, never as an error, and logs it below error level', async () => {
    const errorsBefore = await metric('persona_webhook_requests_total{outcome="error"}');
    const abortedBefore = await metric('persona_webhook_requests_total{outcome="aborted"}');
    const socket = await openSocket();
    socket.on('error', () => {});
    socket.write(`${webhookHead(5_000)}{"data":`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    await expect
      .poll(() => metric('persona_webhook_requests_total{outcome="aborted"}'))
      .toBe(abortedBefore + 1);
    expect(await metric('persona_webhook_requests_total{outcome="error"}')).toBe(errorsBefore);
    const errorLines = logLines(service.output().stdout).filter((line) => Number(line['level']) >= 50);
    expect(errorLines).toEqual([]);
  });
});

describe('created-at bound', () => {
  it('quarantines an event dated in year 9999, so a later genuine decision still wins', async () => {
    const future = signedEvent({
      name: 'inquiry.approved',
      referenceId: 'user-9999',
      inquiryId: 'inq_9999',
      createdAt: '9999-01-01T00:00:00.000Z',
    });
    const quarantined = await deliver(future);
    expect(quarantined.status).toBe(202);
    expect(await quarantined.json()).toMatchObject({ received: true, quarantined: true });

    const declined = signedEvent({
      name: 'inquiry.declined',
      referenceId: 'user-9999',
      inquiryId: 'inq_9999',
    });
    expect((await deliver(declined)).status).toBe(200);
    await expect
      .poll(async () => (await admin(service.url, '/api/kyc/user-9999')).json['status'], { timeout: 10_000 })
      .toBe('declined');
  });
});
