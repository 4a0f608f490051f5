/**
 * The service's delivery transport (undici `request` on the checked Agent) keeps every promise the
 * fetch path made: the answer's status and first KiB, no redirect followed, the timeout over the whole
 * attempt, the connection error's code, and a refused destination's own words as the attempt's error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  postStandardWebhook,
  RESPONSE_EXCERPT_BYTES,
} from '../../packages/persona-webhooks/src/outbox/post-webhook.js';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { DEFAULT_DESTINATION_POLICY } from '../../packages/server/src/outbound/destination-policy.js';
import { createGuardedFetch } from '../../packages/server/src/outbound/guarded-connect.js';

type Handler = Parameters<typeof createServer>[1];

async function app(handler: NonNullable<Handler>) {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/kyc`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the undici transport', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  const post = (url: string, timeoutMs = 2_000, resolveTo = '127.0.0.1') => {
    const guarded = createGuardedFetch({
      policy: DEFAULT_DESTINATION_POLICY,
      servicePort: () => 0,
      resolve: async () => [{ address: resolveTo }],
    });
    closers.push(guarded.close);
    return postStandardWebhook({
      url,
      id: 'msg_1',
      payload: '{"a":1}',
      secrets: [generateEndpointSecret()],
      timeoutMs,
      transport: guarded.transport,
    });
  };

  it('sends the signed body and keeps the status and the first KiB of a long answer', async () => {
    let received: { body: string; signature: string | undefined } | undefined;
    const receiver = await app(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      received = { body, signature: req.headers['webhook-signature'] as string | undefined };
      res.writeHead(400).end('x'.repeat(100_000));
    });
    closers.push(receiver.close);
    const result = await post(receiver.url);
    expect(received?.body).toBe('{"a":1}');
    expect(received?.signature).toMatch(/^v1,/);
    expect(result).toMatchObject({ ok: false, statusCode: 400, error: 'HTTP 400' });
    expect(result.responseExcerpt).toBe('x'.repeat(RESPONSE_EXCERPT_BYTES));
    expect(result.requestHeaders?.['webhook-signature']).toBe('v1,***');
  });

  it('delivers on a 2xx with an empty body, and does not follow a redirect', async () => {
    const receiver = await app((req, res) => {
      req.resume();
      if (req.url === '/kyc') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.writeHead(204).end();
    });
    closers.push(receiver.close);
    expect(await post(receiver.url)).toMatchObject({ ok: false, statusCode: 302, error: 'HTTP 302' });
    expect(await post(receiver.url.replace('/kyc', '/ok'))).toMatchObject({
      ok: true,
      statusCode: 204,
      responseExcerpt: null,
    });
  });

  it('gives up on a receiver that never answers, and names a refused connection', async () => {
    const receiver = await app(() => {});
    closers.push(receiver.close);
    expect(await post(receiver.url, 200)).toMatchObject({ ok: false, error: 'no answer within 200 ms' });
    const closed = await app(() => {});
    await closed.close();
    expect(await post(closed.url)).toMatchObject({ ok: false, error: 'connection failed (ECONNREFUSED)' });
  });

  it("records a refused destination in the check's own words, without connecting", async () => {
    const result = await post('http://app.test/kyc', 2_000, '169.254.169.254');
    expect(result).toMatchObject({
      ok: false,
      statusCode: null,
      error: 'refused: app.test resolves to 169.254.169.254, a cloud metadata address',
    });
  });
});
