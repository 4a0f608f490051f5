import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import fastifyPersonaWebhooks from '../../packages/persona-webhooks/src/adapters/fastify-plugin.js';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { plausibleSignatureHeaders, SECRET, signedEvent } from '../helpers/deliveries.js';
import { chunkedBody } from '../helpers/listen.js';

const apps: Array<ReturnType<typeof Fastify>> = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(maxBodyBytes?: number) {
  const app = Fastify();
  apps.push(app);
  const dispatcher = createDispatcher();
  const received: string[] = [];
  dispatcher.onAny((event) => {
    received.push(event.id);
  });
  await app.register(fastifyPersonaWebhooks, {
    secrets: SECRET,
    dispatcher,
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
  });
  // A sibling route: the plugin's raw-body parser must not leak out of its encapsulation context.
  app.post('/json', async (request) => ({ echoed: request.body }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, received };
}

describe('Fastify plugin', () => {
  it('verifies and handles a real delivery on /webhooks/persona', async () => {
    const { url, received } = await start();
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const response = await fetch(`${url}/webhooks/persona`, {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });
    expect(received).toEqual([delivery.eventId]);
  });

  it('leaves JSON parsing intact for the rest of the app', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/json`, {
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await response.json()).toEqual({ echoed: { a: 1 } });
  });

  it('reads bodies sent without a content type', async () => {
    const { url } = await start();
    const delivery = signedEvent({ name: 'inquiry.approved' });
    const { 'content-type': _dropped, ...headers } = delivery.headers;
    const response = await fetch(`${url}/webhooks/persona`, {
      method: 'POST',
      body: new TextEncoder().encode(delivery.body),
      headers,
    });
    expect(response.status).toBe(200);
  });

  it('answers 413, 405 and 401 as JSON errors', async () => {
    const { url } = await start(1024);
    const tooLarge = await fetch(`${url}/webhooks/persona`, {
      method: 'POST',
      body: chunkedBody(5 * 1024 * 1024, 512),
      headers: { 'content-type': 'application/json', ...plausibleSignatureHeaders() },
      duplex: 'half',
    } as RequestInit);
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const get = await fetch(`${url}/webhooks/persona`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');

    const unsigned = await fetch(`${url}/webhooks/persona`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);
  });
});
