/**
 * When the policy in force changes (its settings, or the default rules' version), every stored user
 * is decided again at the next migrate — in batches, with progress, resumable — and each changed
 * decision goes to the application through the outbox like any other; an unchanged policy decides no
 * one again, and `redecide` forces a pass that changes nothing when nothing changed. On both dialects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KycPolicy } from '../../packages/persona-webhooks/src/kyc/decision.js';
import { createKycPolicy } from '../../packages/persona-webhooks/src/kyc/default-policy.js';
import { policyFingerprint } from '../../packages/persona-webhooks/src/kyc/policy-fingerprint.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { RebuildProgress, Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { openTestPostgresStore, postgresReachable, testPool } from '../helpers/postgres.js';
import { ingestBuilt } from '../worker/temp-store.js';

const T0 = Date.parse('2024-04-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1_000);
const GOLD = createKycPolicy({ accountStatuses: { 'Gold tier': 'clear' } });

/** user-a: approved, account in a status the default policy cannot read; user-b: approved. */
async function fill(store: Store): Promise<void> {
  await store.putEndpoint({
    id: 'ep_app',
    url: 'http://127.0.0.1:9/kyc',
    secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAtMs: null }],
    enabled: true,
    source: 'cli',
    createdAtMs: T0,
  });
  for (const [user, s] of [
    ['user-a', 1],
    ['user-b', 2],
  ] as const) {
    const ids = { referenceId: user, inquiryId: `inq_${user}`, accountId: `act_${user}` };
    await ingestBuilt(store, buildEvent({ ...ids, name: 'inquiry.approved', createdAt: at(s) }), T0);
  }
  await ingestBuilt(
    store,
    buildEvent({
      name: 'account.status-updated',
      referenceId: 'user-a',
      accountId: 'act_user-a',
      accountStatus: 'Gold tier',
      createdAt: at(3),
    }),
    T0,
  );
  await createWorker({ store, now: () => T0 + 10_000_000 }).drain();
}

async function messages(store: Store, user: string): Promise<string[]> {
  const page = await store.listDeliveries({ referenceId: user });
  return page.deliveries
    .map((d) => JSON.parse(d.payload).data as { decision: string; previousDecision: string | null })
    .map((data) => `${data.previousDecision ?? 'none'}→${data.decision}`)
    .reverse();
}

async function migrate(store: Store, options: { redecide?: boolean } = {}): Promise<RebuildProgress[]> {
  const progress: RebuildProgress[] = [];
  await store.migrate({ onProgress: (p) => progress.push({ ...p }), ...options });
  return progress;
}

/** The whole story on one dialect; `reopen` opens the same database under another policy. */
async function policyChangeStory(first: Store, reopen: (policy: KycPolicy) => Promise<Store>) {
  await fill(first);
  expect((await first.getKyc('user-a'))?.reasons[0]).toMatchObject({ code: 'account_status_unmapped' });
  // On PostgreSQL an earlier pass may have sent user-a's approval before the account event's pass.
  const before = await messages(first, 'user-a');
  expect(before.at(-1)).toMatch(/→needs_review$/);
  const beforeB = await messages(first, 'user-b');
  await first.close();

  const gold = await reopen(GOLD);
  const progress = await migrate(gold);
  expect(progress.at(-1)).toEqual({ phase: 'decisions', done: 2, total: 2 });
  expect((await gold.getKyc('user-a'))?.decision).toBe('approved');
  expect(await messages(gold, 'user-a')).toEqual([...before, 'needs_review→approved']);
  expect(await messages(gold, 'user-b')).toEqual(beforeB);

  // The same policy again: nobody is decided again.
  expect(await migrate(gold)).toEqual([]);
  // Forced: every user is decided again, and nothing changed, so nothing is sent.
  expect((await migrate(gold, { redecide: true })).at(-1)).toEqual({ phase: 'decisions', done: 2, total: 2 });
  expect(await messages(gold, 'user-a')).toHaveLength(before.length + 1);
  expect(await messages(gold, 'user-b')).toEqual(beforeB);
  return gold;
}

describe('re-decision after a policy change: SQLite', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('decides every user again under the new policy, through the outbox, once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persona-redecide-'));
    const path = join(dir, 'events.db');
    const first = createSqliteFileStore(path);
    await first.migrate();
    const gold = await policyChangeStory(first, async (kycPolicy) =>
      createSqliteFileStore(path, { kycPolicy }),
    );
    await gold.close();
  });

  it('resumes a pass cut short after the last batch it committed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'persona-redecide-'));
    const path = join(dir, 'events.db');
    const first = createSqliteFileStore(path);
    await first.migrate();
    await fill(first);
    await first.close();
    // As a crash leaves it: a pass under the new policy that committed user-a's batch, not user-b's.
    const db = new Database(path);
    db.prepare("UPDATE kyc_policy SET redecide_fingerprint = ?, redecide_after = 'user-a'").run(
      policyFingerprint(GOLD),
    );
    db.close();
    const gold = createSqliteFileStore(path, { kycPolicy: GOLD });
    const progress = await migrate(gold);
    expect(progress[0]).toEqual({ phase: 'decisions', done: 1, total: 2 });
    // user-a was not decided again (its batch was "done"); user-b was.
    expect((await gold.getKyc('user-a'))?.decision).toBe('needs_review');
    expect((await gold.getKyc('user-b'))?.decision).toBe('approved');
    expect(await migrate(gold)).toEqual([]);
    await gold.close();
  });
});

describe('re-decision after a policy change: PostgreSQL', () => {
  let reachable = false;
  beforeAll(async () => {
    reachable = await postgresReachable();
  });

  it('decides every user again under the new policy, through the outbox, once', async (context) => {
    if (!reachable) context.skip();
    const first = await openTestPostgresStore();
    const pools: { end(): Promise<void> }[] = [];
    try {
      const gold = await policyChangeStory(first.store, async (kycPolicy) => {
        const pool = testPool();
        pools.push(pool);
        const { createPostgresStore } = await import(
          '../../packages/persona-webhooks/src/store/postgres/postgres-store.js'
        );
        return createPostgresStore({ pool, schema: first.schema, kycPolicy });
      });
      await gold.close();
    } finally {
      for (const pool of pools) await pool.end();
      await first.cleanup();
    }
  });
});
