/**
 * Endpoint signing secrets at rest: sealed with AES-256-GCM under PERSONA_WEBHOOKS_SECRETS_KEYS, so
 * neither the SQLite file nor a PostgreSQL dump holds one in clear; secrets stored in clear by an
 * earlier release are sealed at start; a key rotates (the first seals, all open); sealed secrets
 * without their key stop the start, naming the setting; expired rotation secrets are removed.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeliveryWorker } from '../../packages/persona-webhooks/src/outbox/delivery-worker.js';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { openStore } from '../../packages/server/src/open-store.js';
import { open, parseKeyring, seal } from '../../packages/server/src/secrets-at-rest/keyring.js';
import { ConfigError } from '../../packages/server/src/server/config/config-error.js';
import { dropTestSchema, postgresReachable, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.js';
import { ingestBuilt } from '../worker/temp-store.js';

const key = () => randomBytes(32).toString('base64');
const [K1, K2] = [`k1:${key()}`, `k2:${key()}`];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-secrets-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every byte SQLite keeps for `file`: the database, its WAL and journal. */
function fileBytes(file: string): Buffer {
  return Buffer.concat(
    [file, `${file}-wal`, `${file}-journal`].filter(existsSync).map((path) => readFileSync(path)),
  );
}

/** The key part of a whsec_ secret, as it would appear in clear (in JSON or anywhere else). */
const keyPart = (secret: string) => secret.slice('whsec_'.length);

async function withOpened<T>(
  url: string,
  keys: string | undefined,
  work: (store: Store) => Promise<T>,
  extra: { postgresSchema?: string; mode?: 'existing' } = {},
): Promise<T> {
  const store = await openStore(url, { secretsKeys: parseKeyring(keys), ...extra });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const endpoint = (id: string, secrets: Array<{ secret: string; expiresAtMs: number | null }>) => ({
  id,
  url: 'http://127.0.0.1:9/kyc',
  secrets,
  enabled: true,
  source: 'cli' as const,
  createdAtMs: Date.now(),
});

describe('the keyring', () => {
  it('seals and opens, bound to the endpoint id; refuses malformed keys without echoing them', () => {
    const keyring = parseKeyring(`${K1},${K2}`);
    const secret = generateEndpointSecret();
    const sealed = seal(keyring, 'ep_a', secret);
    expect(sealed).toMatch(/^pwenc:v1:k1:/);
    expect(sealed).not.toContain(keyPart(secret));
    expect(open(keyring, 'ep_a', sealed)).toBe(secret);
    expect(open(keyring, 'ep_b', sealed)).toBeNull();
    expect(open(parseKeyring(K2), 'ep_a', sealed)).toBeNull();
    expect(() => parseKeyring('k1:dG9vLXNob3J0')).toThrow(
      /PERSONA_WEBHOOKS_SECRETS_KEYS must be kid:key pairs/,
    );
    expect(() => parseKeyring('k1:dG9vLXNob3J0')).not.toThrow(/dG9vLXNob3J0/);
    expect(() => parseKeyring(`${K1},${K1}`)).toThrow(/lists a key id twice/);
  });
});

describe('secrets at rest on SQLite', () => {
  it('never writes a secret in clear when a key is given, and signs with it', async () => {
    const file = join(dir, 'sealed.sqlite');
    const secret = generateEndpointSecret();
    await withOpened(`sqlite:${file}`, K1, async (store) => {
      await store.putEndpoint(endpoint('ep_a', [{ secret, expiresAtMs: null }]));
      expect((await store.listEndpoints())[0]?.secrets[0]?.secret).toBe(secret);
      expect(fileBytes(file).includes(keyPart(secret))).toBe(false);
    });
    expect(fileBytes(file).includes(keyPart(secret))).toBe(false);
    expect(fileBytes(file).includes('pwenc:v1:k1:')).toBe(true);
  });

  it('signs deliveries with the opened secret (the receiver verifies with standardwebhooks)', async () => {
    const secret = generateEndpointSecret();
    const verified: boolean[] = [];
    const server = createServer(async (req, res) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      try {
        new Webhook(secret).verify(raw, headers);
        verified.push(true);
      } catch {
        verified.push(false);
      }
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await withOpened(`sqlite:${join(dir, 'signs.sqlite')}`, K1, async (store) => {
        await store.putEndpoint({
          ...endpoint('ep_a', [{ secret, expiresAtMs: null }]),
          url: `http://127.0.0.1:${port}/kyc`,
        });
        await ingestBuilt(
          store,
          buildEvent({ name: 'inquiry.approved', referenceId: 'u1', inquiryId: 'inq_u1' }),
          Date.now(),
        );
        await createWorker({ store }).drain();
        const sender = startDeliveryWorker({ store, pollIntervalMs: 20 });
        await sender.drain();
        await sender.stop();
      });
      expect(verified).toEqual([true]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('seals the secrets an earlier release stored in clear, and the file no longer holds them', async () => {
    const file = join(dir, 'migrated.sqlite');
    const secrets = [generateEndpointSecret(), generateEndpointSecret()];
    await withOpened(`sqlite:${file}`, undefined, (store) =>
      store.putEndpoint(
        endpoint('ep_a', [
          { secret: secrets[0]!, expiresAtMs: null },
          { secret: secrets[1]!, expiresAtMs: Date.now() + 60_000 },
        ]),
      ),
    );
    // What main does today: the secret is in the file.
    expect(fileBytes(file).includes(keyPart(secrets[0]!))).toBe(true);
    const reports: unknown[] = [];
    const store = await openStore(`sqlite:${file}`, {
      secretsKeys: parseKeyring(K1),
      onSecretsAtRest: (report) => reports.push(report),
    });
    await store.close();
    expect(reports).toEqual([{ sealed: 2, resealed: 0, expiredRemoved: 0, inClear: 0 }]);
    for (const secret of secrets) expect(fileBytes(file).includes(keyPart(secret))).toBe(false);
  });

  it('rotates the key: the first seals, all open, the start re-seals under the first', async () => {
    const url = `sqlite:${join(dir, 'rotated.sqlite')}`;
    const secret = generateEndpointSecret();
    await withOpened(url, K1, (store) =>
      store.putEndpoint(endpoint('ep_a', [{ secret, expiresAtMs: null }])),
    );
    const reports: unknown[] = [];
    const rotated = await openStore(url, {
      secretsKeys: parseKeyring(`${K2},${K1}`),
      onSecretsAtRest: (report) => reports.push(report),
    });
    await rotated.close();
    expect(reports).toEqual([{ sealed: 0, resealed: 1, expiredRemoved: 0, inClear: 0 }]);
    // k1 is gone from the environment: everything opens with k2 alone.
    await withOpened(url, K2, async (store) => {
      expect((await store.listEndpoints())[0]?.secrets[0]?.secret).toBe(secret);
    });
  });

  it('refuses to start, naming the setting, without the key the secrets were sealed with', async () => {
    const url = `sqlite:${join(dir, 'refused.sqlite')}`;
    await withOpened(url, K1, (store) =>
      store.putEndpoint(endpoint('ep_a', [{ secret: generateEndpointSecret(), expiresAtMs: null }])),
    );
    const noKey = openStore(url, {});
    await expect(noKey).rejects.toThrow(ConfigError);
    await expect(openStore(url, {})).rejects.toThrow(
      /encrypted endpoint secrets but PERSONA_WEBHOOKS_SECRETS_KEYS is not set/,
    );
    await expect(openStore(url, { secretsKeys: parseKeyring(K2) })).rejects.toThrow(
      /encrypted with key "k1", which PERSONA_WEBHOOKS_SECRETS_KEYS does not list/,
    );
    // A read-only command without the key still opens, but adding a secret in clear beside sealed ones is refused.
    await withOpened(
      url,
      undefined,
      async (store) => {
        await expect(
          store.putEndpoint(endpoint('ep_b', [{ secret: generateEndpointSecret(), expiresAtMs: null }])),
        ).rejects.toThrow(/PERSONA_WEBHOOKS_SECRETS_KEYS is not set/);
      },
      { mode: 'existing' },
    );
  });

  it('removes expired rotation secrets at start and whenever an endpoint is written', async () => {
    const url = `sqlite:${join(dir, 'expired.sqlite')}`;
    const [current, old] = [generateEndpointSecret(), generateEndpointSecret()];
    // Written as an earlier release would (no key, no pruning): straight through the library.
    const { createSqliteFileStore } = await import('../../packages/server/src/sqlite-file-store.js');
    const raw = createSqliteFileStore(url.slice('sqlite:'.length));
    await raw.migrate();
    await raw.putEndpoint(
      endpoint('ep_a', [
        { secret: current, expiresAtMs: null },
        { secret: old, expiresAtMs: Date.now() - 1000 },
      ]),
    );
    await raw.close();
    const reports: unknown[] = [];
    const store = await openStore(url, {
      secretsKeys: parseKeyring(K1),
      onSecretsAtRest: (report) => reports.push(report),
    });
    try {
      expect(reports).toEqual([{ sealed: 1, resealed: 0, expiredRemoved: 1, inClear: 0 }]);
      expect((await store.listEndpoints())[0]?.secrets).toEqual([{ secret: current, expiresAtMs: null }]);
      await store.putEndpoint(
        endpoint('ep_b', [
          { secret: current, expiresAtMs: null },
          { secret: old, expiresAtMs: Date.now() - 1 },
        ]),
      );
      expect((await store.listEndpoints()).find((e) => e.id === 'ep_b')?.secrets).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe.runIf(await postgresReachable())('secrets at rest on PostgreSQL', () => {
  it('a pg_dump of the schema holds no secret in clear, before or after a migration from clear', async () => {
    const schema = testSchemaName();
    try {
      const [sealedAtOnce, inClearFirst] = [generateEndpointSecret(), generateEndpointSecret()];
      await withOpened(
        TEST_POSTGRES_URL,
        undefined,
        (store) => store.putEndpoint(endpoint('ep_old', [{ secret: inClearFirst, expiresAtMs: null }])),
        { postgresSchema: schema },
      );
      const dump = () =>
        execFileSync('pg_dump', ['--data-only', '--schema', schema, TEST_POSTGRES_URL], { encoding: 'utf8' });
      expect(dump()).toContain(keyPart(inClearFirst));
      await withOpened(
        TEST_POSTGRES_URL,
        K1,
        async (store) => {
          await store.putEndpoint(endpoint('ep_new', [{ secret: sealedAtOnce, expiresAtMs: null }]));
          const opened = await store.listEndpoints();
          expect(opened.map((e) => e.secrets[0]?.secret).sort()).toEqual([inClearFirst, sealedAtOnce].sort());
        },
        { postgresSchema: schema },
      );
      const after = dump();
      expect(after).not.toContain(keyPart(inClearFirst));
      expect(after).not.toContain(keyPart(sealedAtOnce));
      expect(after).toContain('pwenc:v1:k1:');
    } finally {
      await dropTestSchema(schema);
    }
  });
});
