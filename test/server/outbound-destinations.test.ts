/**
 * Where outbound webhooks may go. Configuration only: the only traffic is to a loopback receiver;
 * names are mapped to addresses by a fake resolver, so "app.test resolves to 169.254.169.254" is
 * refused without any connection being attempted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../packages/persona-webhooks/src/outbox/delivery-worker.js';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import {
  addressKind,
  DEFAULT_DESTINATION_POLICY,
} from '../../packages/server/src/outbound/destination-policy.js';
import { checkEndpointUrl, maskEndpointUrl } from '../../packages/server/src/outbound/endpoint-url.js';
import { createGuardedFetch } from '../../packages/server/src/outbound/guarded-connect.js';
import { loadOutboundConfig } from '../../packages/server/src/outbound/outbound-config.js';
import type { Resolve } from '../../packages/server/src/outbound/self-target.js';
import { ingestBuilt, openTempStore, type TempStore } from '../worker/temp-store.js';

const ALLOW = DEFAULT_DESTINATION_POLICY;
const DENY = { allowPrivate: false };

describe('endpoint URLs when added', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a cloud metadata address'],
    ['http://[fd00:ec2::254]/latest/', 'fd00:ec2::254 is a cloud metadata address'],
    ['http://100.100.100.200/', '100.100.100.200 is a cloud metadata address'],
    ['http://169.254.10.1:8080/', '169.254.10.1 is a link-local address'],
    ['http://[fe80::1]/', 'fe80::1 is a link-local address'],
    ['http://[::ffff:169.254.169.254]/', '169.254.169.254 is a cloud metadata address'],
    ['http://0xa9fea9fe/', '169.254.169.254 is a cloud metadata address'],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      'metadata.google.internal is a cloud metadata host',
    ],
    ['http://METADATA.google.internal./', 'metadata.google.internal is a cloud metadata host'],
    ['http://0.0.0.0:4000/', 'not an address an application can be reached at'],
    ['https://user:pass@app.example/kyc', 'must not hold a user or password'],
    ['https://token@app.example/kyc', 'must not hold a user or password'],
    ['ftp://app.example/kyc', 'must be an http:// or https:// URL'],
  ])('refuses %s', (url, reason) => {
    const checked = checkEndpointUrl(url, ALLOW);
    expect(checked.ok).toBe(false);
    expect(checked.ok ? '' : checked.reason).toContain(reason);
  });

  it.each([
    'http://10.1.2.3/kyc',
    'http://192.168.1.20:8080/kyc',
    'http://172.20.0.5/kyc',
    'http://127.0.0.1:4000/kyc',
    'http://[fd12:3456::1]/kyc',
  ])(
    'allows the private or loopback %s by default, refuses it with PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny',
    (url) => {
      expect(checkEndpointUrl(url, ALLOW).ok).toBe(true);
      const denied = checkEndpointUrl(url, DENY);
      expect(denied.ok ? '' : denied.reason).toMatch(
        /is a (private|loopback) address, and PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny/,
      );
    },
  );

  it('stores the URL normalised, where it really goes', () => {
    expect(checkEndpointUrl('http://127.0.0.1:4000\\@example.com/', ALLOW)).toEqual({
      ok: true,
      url: 'http://127.0.0.1:4000/@example.com/',
    });
    expect(checkEndpointUrl(' HTTPS://App.Example:443/kyc?b=2#frag ', ALLOW)).toEqual({
      ok: true,
      url: 'https://app.example/kyc?b=2',
    });
  });

  it('shows query values masked', () => {
    expect(maskEndpointUrl('https://app.example/kyc?token=s3cr3t&v=2')).toBe(
      'https://app.example/kyc?token=***&v=***',
    );
    expect(maskEndpointUrl('https://app.example/kyc')).toBe('https://app.example/kyc');
  });

  it('refuses the same in PERSONA_WEBHOOKS_APP_ENDPOINTS, naming the entry and not the value', () => {
    const secret = generateEndpointSecret();
    const env = (url: string, extra: Record<string, string> = {}) =>
      loadOutboundConfig({ PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([{ url, secret }]), ...extra });
    expect(() => env('http://169.254.169.254/')).toThrow(
      /PERSONA_WEBHOOKS_APP_ENDPOINTS\[0\]\.url: is refused: 169\.254\.169\.254 is a cloud metadata address/,
    );
    expect(() => env('http://u:p@app.example/')).toThrow(/must not hold a user or password/);
    expect(() => env('http://10.0.0.8/', { PERSONA_WEBHOOKS_OUTBOUND_PRIVATE: 'deny' })).toThrow(
      /private address/,
    );
    expect(env('http://10.0.0.8/kyc#x').endpoints[0]?.url).toBe('http://10.0.0.8/kyc');
    expect(() => env('http://10.0.0.8/', { PERSONA_WEBHOOKS_OUTBOUND_PRIVATE: 'maybe' })).toThrow(
      /PERSONA_WEBHOOKS_OUTBOUND_PRIVATE must be allow/,
    );
  });

  it('classifies NAT64 and mapped spellings as the IPv4 address they reach', () => {
    expect(addressKind('64:ff9b::a9fe:a9fe')).toBe('metadata');
    expect(addressKind('::ffff:a9fe:a9fe')).toBe('metadata');
    expect(addressKind('::ffff:10.0.0.1')).toBe('private');
    expect(addressKind('93.184.216.34')).toBe('public');
  });
});

/** A loopback app that answers 204 and closes each connection, so every send opens a new one. */
async function loopbackApp() {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(204, { connection: 'close' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the address check at every connection', () => {
  const closers: (() => Promise<void>)[] = [];
  let temp: TempStore | undefined;
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await temp?.dispose();
    temp = undefined;
  });

  const send = (guarded: { fetch: typeof fetch }, url: string) =>
    guarded.fetch(url, { method: 'POST', body: '{}', redirect: 'manual' });

  it('refuses a name that now resolves to the metadata address, though it resolved to the app before', async () => {
    const app = await loopbackApp();
    closers.push(app.close);
    let answer = '127.0.0.1';
    const lookups: string[] = [];
    const resolve: Resolve = async (hostname) => {
      lookups.push(hostname);
      return [{ address: answer }];
    };
    const guarded = createGuardedFetch({ policy: ALLOW, servicePort: () => 0, resolve });
    closers.push(guarded.close);
    const url = `http://app.test:${app.port}/kyc`;
    expect((await send(guarded, url)).status).toBe(204);
    answer = '169.254.169.254';
    const refused = await send(guarded, url).catch((error: Error) => error);
    expect((refused as Error & { cause?: Error }).cause?.message).toBe(
      'refused: app.test resolves to 169.254.169.254, a cloud metadata address',
    );
    expect(lookups).toEqual(['app.test', 'app.test']);
    expect(app.hits()).toBe(1);
  });

  it('refuses when any of the answers is refused', async () => {
    const resolve: Resolve = async () => [{ address: '10.0.0.1' }, { address: 'fd00:ec2::254' }];
    const guarded = createGuardedFetch({ policy: ALLOW, servicePort: () => 0, resolve });
    closers.push(guarded.close);
    const error = (await send(guarded, 'http://app.test/kyc').catch((e: Error) => e)) as Error & {
      cause?: Error;
    };
    expect(error.cause?.message).toBe(
      'refused: app.test resolves to fd00:ec2::254, a cloud metadata address',
    );
  });

  it('refuses a private address when PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny, and this service itself', async () => {
    const app = await loopbackApp();
    closers.push(app.close);
    const resolve: Resolve = async () => [{ address: '127.0.0.1' }];
    const denied = createGuardedFetch({ policy: DENY, servicePort: () => 0, resolve });
    const self = createGuardedFetch({ policy: ALLOW, servicePort: () => app.port, resolve });
    closers.push(denied.close, self.close);
    const url = `http://app.test:${app.port}/kyc`;
    const causes = await Promise.all(
      [denied, self].map(
        async (guarded) =>
          ((await send(guarded, url).catch((e: Error) => e)) as Error & { cause?: Error }).cause?.message,
      ),
    );
    expect(causes).toEqual([
      'refused: app.test resolves to 127.0.0.1, a loopback address, and PERSONA_WEBHOOKS_OUTBOUND_PRIVATE=deny',
      `refused: app.test:${app.port} is this service itself`,
    ]);
    expect(app.hits()).toBe(0);
  });

  it("is what the delivery worker records as the attempt's error", async () => {
    temp = await openTempStore();
    const { store } = temp;
    await store.putEndpoint({
      id: 'ep_meta',
      url: 'http://app.test/kyc',
      secrets: [{ secret: generateEndpointSecret(), expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: Date.now(),
    });
    await ingestBuilt(
      store,
      buildEvent({ name: 'inquiry.approved', referenceId: 'u1', inquiryId: 'inq_u1' }),
      Date.now(),
    );
    await createWorker({ store }).drain();
    const guarded = createGuardedFetch({
      policy: ALLOW,
      servicePort: () => 0,
      resolve: async () => [{ address: '169.254.169.254' }],
    });
    closers.push(guarded.close);
    const sender = startDeliveryWorker({ store, fetch: guarded.fetch, pollIntervalMs: 20 });
    closers.push(() => sender.stop());
    await sender.drain();
    const [message] = (await store.listDeliveries({})).deliveries;
    expect(message?.lastError).toBe(
      'refused: app.test resolves to 169.254.169.254, a cloud metadata address',
    );
    expect(message?.status).toBe('pending');
  });
});
