import { createServer } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeMiddleware } from '../../packages/persona-webhooks/src/adapters/node-http.js';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { plausibleSignatureHeaders, SECRET, signedEvent } from '../helpers/deliveries.js';
import { chunkedBody, listen } from '../helpers/listen.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function post(url: string, body: BodyInit, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown> & { error?: { code: string; reason?: string } },
  };
}

describe('node:http adapter', () => {
  async function start(maxBodyBytes?: number) {
    const dispatcher = createDispatcher();
    const received: string[] = [];
    dispatcher.onAny((event) => {
      received.push(event.id);
    });
    const middleware = createNodeMiddleware(
      { secrets: SECRET, dispatcher, ...(maxBodyBytes ? { maxBodyBytes } : {}) },
      { path: '/webhooks/persona' },
    );
    const server = listen(createServer(middleware));
    const { url, close } = await server;
    closers.push(close);
    return { url, received };
  }

  it('verifies and handles a real delivery', async () => {
    const { url, received } = await start();
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await post(`${url}/webhooks/persona`, delivery.body, delivery.headers);
    expect(response).toEqual({ status: 200, json: { received: true } });
    expect(received).toEqual([delivery.eventId]);
  });

  it('answers a JSON 404 for other paths and a 405 for GET', async () => {
    const { url } = await start();
    const missing = await fetch(`${url}/elsewhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const get = await fetch(`${url}/webhooks/persona?x=1`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('answers 413 from the declared length and from a streamed body, without buffering it', async () => {
    const { url } = await start(1024);
    const declared = await post(`${url}/webhooks/persona`, 'x'.repeat(2048), plausibleSignatureHeaders());
    expect(declared.status).toBe(413);
    expect(declared.json.error?.code).toBe('payload_too_large');
    const streamed = await post(
      `${url}/webhooks/persona`,
      chunkedBody(10 * 1024 * 1024, 512),
      plausibleSignatureHeaders(),
    );
    expect(streamed.status).toBe(413);
  });

  it('refuses a missing, malformed or stale signature header before reading the body', async () => {
    const { url } = await start();
    const stale = `t=${Math.floor(Date.now() / 1000) - 3600},v1=${'0'.repeat(64)}`;
    for (const [headers, reason] of [
      [{}, 'missing_header'],
      [{ 'persona-signature': 'v1=nonsense' }, 'malformed_header'],
      [{ 'persona-signature': stale }, 'timestamp_out_of_tolerance'],
    ] as const) {
      // A body that would never end: only an answer given before reading it can arrive.
      const response = await post(
        `${url}/webhooks/persona`,
        chunkedBody(Number.MAX_SAFE_INTEGER, 512),
        headers,
      );
      expect(response.status).toBe(401);
      expect(response.json.error?.reason).toBe(reason);
    }
  });

  it('answers 401 for a bad signature', async () => {
    const { url } = await start();
    const delivery = signedEvent({ name: 'inquiry.approved' }, 'wbhsec_wrong');
    const response = await post(`${url}/webhooks/persona`, delivery.body, delivery.headers);
    expect(response.status).toBe(401);
    expect(response.json.error?.code).toBe('invalid_signature');
  });
});

describe('Express (reuses the node adapter)', () => {
  async function start(configure: (app: express.Express) => void) {
    const app = express();
    configure(app);
    const { url, close } = await listen(createServer(app));
    closers.push(close);
    return url;
  }

  it('works on a route of its own', async () => {
    const url = await start((app) =>
      app.post('/webhooks/persona', createNodeMiddleware({ secrets: SECRET })),
    );
    const delivery = signedEvent({ name: 'inquiry.approved' });
    expect((await post(`${url}/webhooks/persona`, delivery.body, delivery.headers)).status).toBe(200);
  });

  it('uses the Buffer left by express.raw()', async () => {
    const url = await start((app) =>
      app.post('/webhooks/persona', express.raw({ type: '*/*' }), createNodeMiddleware({ secrets: SECRET })),
    );
    const delivery = signedEvent({ name: 'inquiry.approved' });
    expect((await post(`${url}/webhooks/persona`, delivery.body, delivery.headers)).status).toBe(200);
  });

  it('uses req.rawBody kept by express.json({ verify })', async () => {
    const url = await start((app) => {
      app.use(
        express.json({
          verify: (req, _res, buffer) => {
            (req as typeof req & { rawBody?: Buffer }).rawBody = buffer;
          },
        }),
      );
      app.post('/webhooks/persona', createNodeMiddleware({ secrets: SECRET }));
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    expect((await post(`${url}/webhooks/persona`, delivery.body, delivery.headers)).status).toBe(200);
  });

  it('answers 500 raw_body_unavailable, naming the fix, when express.json() consumed the body', async () => {
    const url = await start((app) => {
      app.use(express.json());
      app.post('/webhooks/persona', createNodeMiddleware({ secrets: SECRET }));
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await post(`${url}/webhooks/persona`, delivery.body, delivery.headers);
    expect(response.status).toBe(500);
    expect(response.json.error?.code).toBe('raw_body_unavailable');
    expect(JSON.stringify(response.json)).toContain('express.raw');
  });

  it('still reads the stream when express.json() skipped a non-JSON content type', async () => {
    const url = await start((app) => {
      app.use(express.json());
      app.post('/webhooks/persona', createNodeMiddleware({ secrets: SECRET }));
    });
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const headers = { ...delivery.headers, 'content-type': 'text/plain' };
    expect((await post(`${url}/webhooks/persona`, delivery.body, headers)).status).toBe(200);
  });
});
