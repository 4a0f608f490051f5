/**
 * The Persona API client against the emulator over real HTTP: pagination with short pages, 429 waits,
 * the client-side budget, 401/403 messages, retries, timeouts, idempotent writes, and the key kept out
 * of every message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PersonaApiAuthError, PersonaApiError } from '../../packages/server/src/persona-api/api-errors.js';
import { PersonaApiClient } from '../../packages/server/src/persona-api/client.js';
import { listEventPages } from '../../packages/server/src/persona-api/events-api.js';
import { API_PERMISSIONS, permissionFor } from '../../packages/server/src/persona-api/permissions.js';
import {
  createWebhook,
  listWebhooks,
  searchWebhookDeliveries,
} from '../../packages/server/src/persona-api/webhooks-api.js';
import { type Emulator, emulatorClient, startTestEmulator } from '../helpers/emulator.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function recordEvents(target: Emulator, count: number, startMs = Date.UTC(2026, 0, 1)) {
  return Array.from({ length: count }, (_, i) =>
    target.state.recordEvent({ name: 'inquiry.approved', createdAt: new Date(startMs + i * 1000) }),
  );
}

describe('pagination', () => {
  it('follows links.next through pages smaller than asked, newest first, each event once', async () => {
    emulator = await startTestEmulator({ maxPageSize: 7 });
    const recorded = recordEvents(emulator, 25);
    const pages = [];
    for await (const page of listEventPages(emulatorClient(emulator), { pageSize: 100 })) pages.push(page);

    expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 4]);
    const ids = pages.flat().map((event) => event.id);
    expect(ids).toEqual(recorded.map((event) => event.id).reverse());
    const [newest] = pages[0]!;
    expect(newest).toMatchObject({ name: 'inquiry.approved', createdAtMs: recorded[24]!.createdAtMs });
    expect(JSON.parse(newest!.body)).toEqual({ data: recorded[24]!.resource });
    // Every next link was followed relative to the host, with the cursor and the page size kept.
    const urls = emulator.state.requests.map((request) => decodeURIComponent(request.url));
    expect(
      urls.slice(1).every((url) => url.includes('page[after]=evt_') && url.includes('page[size]=100')),
    ).toBe(true);
  });

  it('gives next links as Persona does: host-relative, the cursor only', async () => {
    emulator = await startTestEmulator();
    const [, , third] = recordEvents(emulator, 25).reverse();
    const response = await emulatorClient(emulator).get('/events', {
      query: { 'page[size]': 3, 'filter[name]': 'inquiry.approved' },
    });
    expect((response.json as { links: { next: string } }).links.next).toBe(
      `/api/v1/events?page%5Bafter%5D=${third!.id}`,
    );
  });

  it('sends the page size and the filter again on every page: N events in ceil(N / size) calls', async () => {
    emulator = await startTestEmulator();
    recordEvents(emulator, 250);
    emulator.state.recordEvent({ name: 'inquiry.declined', createdAt: new Date(Date.UTC(2026, 0, 2)) });
    const pages = [];
    for await (const page of listEventPages(emulatorClient(emulator), {
      pageSize: 100,
      name: 'inquiry.approved',
    })) {
      pages.push(page);
    }
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    expect(pages.flat().every((event) => event.name === 'inquiry.approved')).toBe(true);
    expect(emulator.state.requests).toHaveLength(Math.ceil(250 / 100));
  });

  it('stops on a page without a next link even when it is short, and on an empty list', async () => {
    emulator = await startTestEmulator();
    const client = emulatorClient(emulator);
    const empty = [];
    for await (const page of listEventPages(client)) empty.push(page);
    expect(empty).toEqual([[]]);
    recordEvents(emulator, 3);
    const pages = [];
    for await (const page of listEventPages(client, { pageSize: 100 })) pages.push(page);
    expect(pages.map((page) => page.length)).toEqual([3]);
  });

  it('refuses a next link to another host, which would carry the API key there', async () => {
    const fakeFetch: typeof fetch = async () =>
      new Response(
        JSON.stringify({ data: [{ id: 'evt_1' }], links: { next: 'https://evil.example/steal' } }),
        {
          status: 200,
        },
      );
    const client = new PersonaApiClient({ apiKey: 'persona_sandbox_x', fetch: fakeFetch });
    const pages = client.pages('/events');
    await pages.next();
    await expect(pages.next()).rejects.toMatchObject({ code: 'foreign_link' });
  });
});

describe('rate limits', () => {
  it('waits out a 429 for as long as ratelimit-reset says, then succeeds', async () => {
    emulator = await startTestEmulator({ rateLimit: 3, rateLimitWindowMs: 2_000 });
    const client = emulatorClient(emulator);
    for (let i = 0; i < 5; i++) await client.get('/events');

    const log = emulator.state.requests;
    const limited = log.find((request) => request.status === 429)!;
    expect(limited).toBeDefined();
    const after = log[log.indexOf(limited) + 1]!;
    expect(after.status).toBe(200);
    // The emulator said "reset in 2 s" (its window started with the first request).
    expect(after.atMs - limited.atMs).toBeGreaterThanOrEqual(1_900);
    expect(log.filter((request) => request.status === 200)).toHaveLength(5);
  });

  it('never sends more than the client-side budget in any window', async () => {
    emulator = await startTestEmulator();
    const client = emulatorClient(emulator, { maxRequestsPerWindow: 4, budgetWindowMs: 500 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 12 }, () => client.get('/events')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);

    const times = emulator.state.requests.map((request) => request.atMs);
    expect(times).toHaveLength(12);
    for (const start of times) {
      expect(times.filter((t) => t >= start && t < start + 495).length).toBeLessThanOrEqual(4);
    }
  });
});

describe('errors', () => {
  it('names PERSONA_API_KEY and the permission on a 401, does not retry, and never shows the key', async () => {
    emulator = await startTestEmulator();
    const key = 'persona_sandbox_wrong_key_123456';
    const client = emulatorClient(emulator, { apiKey: key });
    const error = await client.get('/events').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonaApiAuthError);
    expect((error as PersonaApiAuthError).message).toMatch(
      /^Persona rejected PERSONA_API_KEY on GET \/events \(401 Unauthorized, Request-Id req_\w+\).*`event\.read`/,
    );
    expect((error as Error).message).not.toContain(key);
    expect(JSON.stringify(error)).not.toContain(key);
    expect(emulator.state.requests).toHaveLength(1);
  });

  it('names the missing permission on a 403', async () => {
    emulator = await startTestEmulator();
    const key = emulator.state.addApiKey(undefined, ['event.read']);
    const client = emulatorClient(emulator, { apiKey: key });
    await expect(client.get('/events')).resolves.toMatchObject({ status: 200 });
    await expect(listWebhooks(client)).rejects.toThrow(
      /PERSONA_API_KEY is not allowed to GET \/webhooks \(403 Forbidden, Request-Id req_\w+\): give the key the `webhook\.read` permission/,
    );
  });

  it('names no permission Persona does not document: a refused delivery search names the call', async () => {
    const forbidden: typeof fetch = async () =>
      new Response(JSON.stringify({ errors: [{ title: 'Forbidden' }] }), {
        status: 403,
        headers: { 'request-id': 'req_1' },
      });
    const client = new PersonaApiClient({ apiKey: 'persona_sandbox_x', fetch: forbidden });
    const error = (await searchWebhookDeliveries(client, { webhookId: 'wbh_1' }).catch((e: unknown) => e)) as
      | PersonaApiAuthError
      | undefined;
    expect(error).toBeInstanceOf(PersonaApiAuthError);
    expect(error!.permission).toBeNull();
    expect(error!.message).toBe(
      'PERSONA_API_KEY is not allowed to POST /webhook-events/search (403 Forbidden, Request-Id req_1): Persona documents no permission name for this call: in Persona Dashboard → API → API Keys → Edit → Permissions, allow the key to POST /webhook-events/search.',
    );
    expect(error!.message).not.toMatch(/webhook-event\.read/);
  });

  it('only ever names permissions from Persona’s documented list', () => {
    // Persona's API Keys page (docs.withpersona.com/api-keys): `<resource>.read|write`, underscores in
    // multi-word resources.
    const documented = ['event.read', 'webhook.read', 'webhook.write', 'inquiry.read', 'inquiry.write'];
    expect(API_PERMISSIONS.filter((name) => !documented.includes(name))).toEqual([]);
    const calls: Array<[string, string]> = [
      ['GET', '/events'],
      ['GET', '/webhooks'],
      ['POST', '/webhooks/wbh_1/enable'],
      ['POST', '/webhook-events/search'],
      ['GET', '/inquiries/inq_1'],
    ];
    expect(calls.map(([method, path]) => permissionFor(method, path))).toEqual([
      'event.read',
      'webhook.read',
      'webhook.write',
      null,
      'inquiry.read',
    ]);
  });

  it('retries a 5xx with back-off and succeeds; gives up with the Request-Id after its retries', async () => {
    emulator = await startTestEmulator();
    emulator.state.setFaults({ apiErrors: 2 });
    await expect(emulatorClient(emulator).get('/events')).resolves.toMatchObject({ status: 200 });
    expect(emulator.state.requests.map((request) => request.status)).toEqual([500, 500, 200]);

    emulator.state.setFaults({ apiErrors: 5 });
    const error = await emulatorClient(emulator, { maxRetries: 1 })
      .get('/events')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersonaApiError);
    expect((error as PersonaApiError).code).toBe('server_error');
    expect((error as Error).message).toMatch(
      /^Persona API GET \/events answered 500: Internal Server Error — Emulator fault api-errors\., Request-Id req_\w+ after 2 attempts\.$/,
    );
  });

  it('times out a slow answer and says so', async () => {
    emulator = await startTestEmulator();
    emulator.state.setFaults({ apiDelayMs: 400 });
    const error = await emulatorClient(emulator, { timeoutMs: 100, maxRetries: 1 })
      .get('/events')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout', status: 0 });
    expect((error as Error).message).toMatch(
      /^Persona API GET \/events timed out after 100 ms \(2 attempts\)/,
    );
  });

  it('retries a failed write with the same Idempotency-Key, which Persona answers once', async () => {
    emulator = await startTestEmulator();
    const keys: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      keys.push(new Headers(init?.headers).get('idempotency-key') ?? 'none');
      return fetch(input, init);
    };
    const client = emulatorClient(emulator, { fetch: recordingFetch });
    emulator.state.setFaults({ apiErrors: 1 });
    const created = await createWebhook(client, { url: 'http://127.0.0.1:9/hook', enabledEvents: ['*'] });
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);

    // The same key again (a retry whose first answer was lost) gets the first answer, no second webhook.
    const repeat = await fetch(`${emulator.apiUrl}/webhooks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${emulator.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': keys[0]!,
      },
      body: JSON.stringify({ data: { attributes: { url: 'http://127.0.0.1:9/hook' } } }),
    });
    expect(((await repeat.json()) as { data: { id: string } }).data.id).toBe(created.id);
    expect(emulator.state.webhooks.size).toBe(1);
  });
});
