/**
 * The outbound settings: PERSONA_WEBHOOKS_APP_ENDPOINTS parsed into stable ids and secrets (never echoed
 * in an error), the knobs' defaults, the retry delays for drills; the self-target check; and the sync of
 * env endpoints into the store (a removed one disabled, not deleted).
 */
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEndpointSecret, RETRY_DELAYS_MS } from '../../packages/persona-webhooks/src/index.js';
import { endpointIdFor } from '../../packages/server/src/outbound/outbound-config.js';
import { pointsAtService } from '../../packages/server/src/outbound/self-target.js';
import { syncEnvEndpoints } from '../../packages/server/src/outbound/sync-endpoints.js';
import { ConfigError, loadConfig } from '../../packages/server/src/server/config/service-config.js';
import { openTempStore, type TempStore } from '../worker/temp-store.js';

const BASE = { PERSONA_WEBHOOK_SECRET: 'wbhsec_x' };

let temp: TempStore | undefined;
afterEach(async () => {
  await temp?.dispose();
  temp = undefined;
});

describe('outbound configuration', () => {
  it('defaults: no endpoints, 10 s timeout, 128 at once, the Standard Webhooks schedule, private networks allowed', () => {
    expect(loadConfig(BASE).outbound).toEqual({
      endpoints: [],
      timeoutMs: 10_000,
      concurrency: 128,
      endpointConcurrency: 64,
      retryDelaysMs: RETRY_DELAYS_MS,
      destinations: { allowPrivate: true },
    });
  });

  it('parses endpoints with one secret or several, each with a stable ep_ id from its URL', () => {
    const [s1, s2, s3] = [generateEndpointSecret(), generateEndpointSecret(), generateEndpointSecret()];
    const { outbound } = loadConfig({
      ...BASE,
      PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([
        { url: 'https://app.example/kyc', secret: s1 },
        { url: 'http://10.0.0.5:8080/hooks', secrets: [s2, s3] },
      ]),
      PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS: '2500',
      PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY: '3',
      PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS: '200ms, 1s,5m,1.5h',
    });
    expect(outbound.endpoints).toEqual([
      { id: endpointIdFor('https://app.example/kyc'), url: 'https://app.example/kyc', secrets: [s1] },
      {
        id: endpointIdFor('http://10.0.0.5:8080/hooks'),
        url: 'http://10.0.0.5:8080/hooks',
        secrets: [s2, s3],
      },
    ]);
    expect(outbound.endpoints[0]!.id).toMatch(/^ep_[0-9a-f]{12}$/);
    expect(endpointIdFor('https://app.example/kyc')).toBe(outbound.endpoints[0]!.id);
    expect(endpointIdFor('https://app.example/other')).not.toBe(outbound.endpoints[0]!.id);
    expect(outbound).toMatchObject({
      timeoutMs: 2500,
      concurrency: 3,
      retryDelaysMs: [200, 1000, 300_000, 5_400_000],
    });
  });

  it.each([
    ['[{"url":"ftp://app.example","secret":"S"}]', /\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/],
    ['[{"url":"https://app.example","secret":"whsec_not-a-real-one!"}]', /\[0\]\.secret: must be a whsec_/],
    ['[{"url":"https://app.example"}]', /\[0\]: give either "secret" or "secrets"/],
    ['[{"url":"https://app.example","secret":"S","token":"x"}]', /PERSONA_WEBHOOKS_APP_ENDPOINTS\[0\]/],
    ['{"url":"https://app.example"}', /PERSONA_WEBHOOKS_APP_ENDPOINTS: /],
    ['[{url:1}]', /must be a JSON array/],
  ])('refuses %s, naming where and never quoting a secret', (value, message) => {
    const raw = value.replace('"S"', JSON.stringify(generateEndpointSecret()));
    let error: unknown;
    try {
      loadConfig({ ...BASE, PERSONA_WEBHOOKS_APP_ENDPOINTS: raw });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/whsec_[A-Za-z0-9+/=]{10,}|not-a-real-one/);
  });

  it('refuses the same URL twice and a bad retry delay', () => {
    const secret = generateEndpointSecret();
    expect(() =>
      loadConfig({
        ...BASE,
        PERSONA_WEBHOOKS_APP_ENDPOINTS: JSON.stringify([
          { url: 'https://app.example/kyc', secret },
          { url: 'https://app.example/kyc', secret },
        ]),
      }),
    ).toThrow(/the same URL twice/);
    expect(() => loadConfig({ ...BASE, PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS: '1s,soon' })).toThrow(
      /PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS must be/,
    );
    expect(() => loadConfig({ ...BASE, PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY: '0' })).toThrow(/at least 1/);
  });
});

describe('pointsAtService', () => {
  const own = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;

  it.each([
    ['http://127.0.0.1:3000/kyc', true],
    ['http://127.8.9.10:3000/kyc', true],
    ['http://localhost:3000/', true],
    ['http://0.0.0.0:3000/', true],
    ['http://[::1]:3000/', true],
    ['http://[::ffff:127.0.0.1]:3000/', true],
    ['http://127.0.0.1:3001/kyc', false],
    ['http://127.0.0.1/kyc', false],
    ['http://192.0.2.10:3000/kyc', false],
    ['http://no-such-host.invalid:3000/', false],
  ])('%s with the service on 3000: %s', async (url, expected) => {
    expect(await pointsAtService(url, 3000)).toBe(expected);
  });

  it("the scheme's default port, and this machine's own interface address", async () => {
    expect(await pointsAtService('http://localhost/kyc', 80)).toBe(true);
    expect(await pointsAtService('https://localhost/kyc', 443)).toBe(true);
    if (own) expect(await pointsAtService(`http://${own}:3000/`, 3000)).toBe(true);
  });
});

describe('syncEnvEndpoints', () => {
  it('puts env endpoints in the store, keeps their created-at, and disables one no longer listed', async () => {
    temp = await openTempStore();
    const store = temp.store;
    const secret = generateEndpointSecret();
    const a = { id: endpointIdFor('https://a.example/'), url: 'https://a.example/', secrets: [secret] };
    const b = { id: endpointIdFor('https://b.example/'), url: 'https://b.example/', secrets: [secret] };
    await store.putEndpoint({
      id: 'ep_cli',
      url: 'https://cli.example/',
      secrets: [{ secret, expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: 1,
    });
    expect(await syncEnvEndpoints(store, [a, b], 1000)).toEqual({ synced: [a.id, b.id], disabled: [] });
    expect(await syncEnvEndpoints(store, [a], 2000)).toEqual({ synced: [a.id], disabled: [b.id] });
    const byId = new Map((await store.listEndpoints()).map((endpoint) => [endpoint.id, endpoint]));
    expect(byId.get(a.id)).toMatchObject({ enabled: true, source: 'env', createdAtMs: 1000 });
    expect(byId.get(b.id)).toMatchObject({ enabled: false, source: 'env' });
    // A CLI endpoint is the CLI's: the env sync leaves it alone.
    expect(byId.get('ep_cli')).toMatchObject({ enabled: true, source: 'cli' });
  });
});
