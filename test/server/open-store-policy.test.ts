/**
 * `openStore` hands the handlers module's `kycPolicy` to the store it opens — SQLite and PostgreSQL —
 * so each completion decides with it; and refuses a module whose `kycPolicy` is no function before
 * opening anything.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../packages/persona-webhooks/src/events/parse-envelope.js';
import { createWorker } from '../../packages/persona-webhooks/src/index.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { toInboxEvent } from '../../packages/persona-webhooks/src/store/inbox/inbox-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { openStore } from '../../packages/server/src/open-store.js';
import { dropTestSchema, postgresReachable, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.js';
import { REPO_ROOT } from '../helpers/service-process.js';

const declineEveryone = join(REPO_ROOT, 'test/fixtures/handlers/decline-everyone.mjs');
const postgres = await postgresReachable();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Stores one approved inquiry event for `referenceId` and lets a worker process it. */
async function approve(store: Store, referenceId: string): Promise<void> {
  const built = buildEvent({ name: 'inquiry.approved', referenceId, inquiryId: `inq_${referenceId}` });
  const body = new TextEncoder().encode(built.body);
  const parsed = parseEnvelope(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  await store.ingest(
    toInboxEvent(parsed.envelope, body, {
      attemptsMade: 1,
      attemptsLeft: 7,
      firstAttemptedAtMs: null,
      receivedAtMs: Date.now(),
    }),
  );
  const worker = createWorker({ store });
  while ((await worker.runOnce()) > 0) {}
}

const targets: Array<[string, boolean, () => Promise<{ url: string; schema?: string }>]> = [
  [
    'SQLite',
    true,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pw-open-policy-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      return { url: `sqlite:${join(dir, 'db.sqlite')}` };
    },
  ],
  [
    'PostgreSQL',
    postgres,
    async () => {
      const schema = testSchemaName();
      cleanups.push(() => dropTestSchema(schema));
      return { url: TEST_POSTGRES_URL, schema };
    },
  ],
];

describe.each(targets)('openStore with a policy module on %s', (_name, available, target) => {
  it.skipIf(!available)("decides with the module's kycPolicy", async () => {
    const { url, schema } = await target();
    const store = await openStore(url, {
      policyModule: declineEveryone,
      ...(schema ? { postgresSchema: schema } : {}),
    });
    cleanups.push(() => store.close());
    await approve(store, 'open-policy-user');
    expect(await store.getKyc('open-policy-user')).toMatchObject({
      status: 'approved',
      decision: 'declined',
      reasons: [{ code: 'house_rule' }],
    });
    expect(await store.countDecisions()).toMatchObject({ declined: 1, approved: 0 });
  });

  it.skipIf(!available)('decides with the default policy without one', async () => {
    const { url, schema } = await target();
    const store = await openStore(url, schema ? { postgresSchema: schema } : {});
    cleanups.push(() => store.close());
    await approve(store, 'default-policy-user');
    expect(await store.getKyc('default-policy-user')).toMatchObject({ decision: 'approved' });
  });
});

describe('openStore with a broken policy module', () => {
  it('refuses a kycPolicy that is no function, creating nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-open-policy-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'db.sqlite');
    await expect(
      openStore(`sqlite:${path}`, {
        policyModule: join(REPO_ROOT, 'test/fixtures/handlers/policy-not-a-function.mjs'),
      }),
    ).rejects.toMatchObject({ name: 'ConfigError' });
    expect(existsSync(path)).toBe(false);
  });
});
