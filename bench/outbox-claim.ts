/**
 * How long one outbox claim takes (the SQLite write lock it holds) with N messages due, split over two
 * endpoints: with the per-endpoint limit the delivery worker uses (one indexed read per endpoint), and
 * without (one query over all due messages, as before the limit existed). Prints medians of 20 claims.
 *
 *   node --import tsx bench/outbox-claim.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteFileStore } from '../packages/server/src/sqlite-file-store.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

async function measure(n: number, perEndpoint: number | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-claim-'));
  const file = join(dir, 'db.sqlite');
  const setup = createSqliteFileStore(file);
  await setup.migrate();
  for (const id of ['ep_a', 'ep_b']) {
    await setup.putEndpoint({
      id,
      url: 'http://127.0.0.1:9/',
      secrets: [{ secret: SECRET, expiresAtMs: null }],
      enabled: true,
      source: 'cli',
      createdAtMs: 1,
    });
  }
  await setup.close();
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO outbox_messages (id, endpoint_id, reference_id, payload, status, attempts, created_at_ms,
      next_attempt_at_ms) VALUES (?, ?, ?, '{}', 'pending', 0, 1, 1)`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`msg_${i}`, i % 2 ? 'ep_a' : 'ep_b', `u${i}`);
  })();
  db.close();
  const store = createSqliteFileStore(file);
  const times: number[] = [];
  for (let round = 0; round < 20; round++) {
    const started = performance.now();
    const claims = await store.claimDeliveries({
      limit: 8,
      leaseMs: 60_000,
      nowMs: 1_000 + round,
      ...(perEndpoint === undefined ? {} : { perEndpoint }),
    });
    times.push(performance.now() - started);
    const done = { ok: true, statusCode: 200, error: null, durationMs: 1 };
    for (const claim of claims) await store.finishDelivery(claim, done, null, 1_000 + round);
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return times.sort((a, b) => a - b)[10]!;
}

for (const n of [1_000, 10_000, 50_000]) {
  const limited = await measure(n, 4);
  const unlimited = await measure(n, undefined);
  console.log(
    `${n} due: claim of 8 with perEndpoint 4 ${limited.toFixed(2)} ms, without a per-endpoint limit ${unlimited.toFixed(2)} ms (medians of 20)`,
  );
}
