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
import { admin, logLines, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

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
        for (let i = 0; i < bodyBytes; i++) {
          if (!socket.write(' ')) await new Promise((resolve) => socket.once('drain', resolve));
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
