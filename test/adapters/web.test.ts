import { describe, expect, it } from 'vitest';
import { createWebHandler } from '../../packages/persona-webhooks/src/adapters/web-request.js';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { plausibleSignatureHeaders, SECRET, signedEvent } from '../helpers/deliveries.js';
import { chunkedBody } from '../helpers/listen.js';

describe('Web handler (Request → Response)', () => {
  it('verifies with Web Crypto and handles a real Request', async () => {
    const dispatcher = createDispatcher();
    const received: string[] = [];
    dispatcher.on('inquiry.approved', (event) => {
      received.push(event.object.id);
    });
    const handler = createWebHandler({ secrets: SECRET, dispatcher });
    const delivery = signedEvent({ name: 'inquiry.approved', inquiryId: 'inq_web' });
    const response = await handler(
      new Request('https://example.test/api/webhooks/persona', {
        method: 'POST',
        body: delivery.body,
        headers: delivery.headers,
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ received: true });
    expect(received).toEqual(['inq_web']);
  });

  it('answers 401 for a wrong secret and 413 for a streamed oversized body', async () => {
    const handler = createWebHandler({ secrets: SECRET });
    const wrong = signedEvent({ name: 'inquiry.approved' }, 'wbhsec_wrong');
    const unauthorized = await handler(
      new Request('https://example.test/hook', { method: 'POST', body: wrong.body, headers: wrong.headers }),
    );
    expect(unauthorized.status).toBe(401);

    const small = createWebHandler({ secrets: SECRET, maxBodyBytes: 1024 });
    const tooLarge = await small(
      new Request('https://example.test/hook', {
        method: 'POST',
        body: chunkedBody(1024 * 1024, 256),
        headers: plausibleSignatureHeaders(),
        duplex: 'half',
      } as RequestInit),
    );
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('answers 405 for GET', async () => {
    const handler = createWebHandler({ secrets: SECRET });
    const response = await handler(new Request('https://example.test/hook'));
    expect(response.status).toBe(405);
  });
});
