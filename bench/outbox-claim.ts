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
import { createSqliteFileStore } from '../packages/server/src/sqlite-file-store.js';
import { fillOutboxFile } from './lib/outbox-file.js';

async function measure(n: number, perEndpoint: number | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-claim-'));
  const file = join(dir, 'db.sqlite');
  await fillOutboxFile(file, { ep_a: 'http://127.0.0.1:9/', ep_b: 'http://127.0.0.1:9/' }, n, (i) => ({
    endpointId: i % 2 ? 'ep_a' : 'ep_b',
    referenceId: `u${i}`,
    payload: '{}',
  }));
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
