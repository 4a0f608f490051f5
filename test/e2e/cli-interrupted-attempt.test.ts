/**
 * An attempt cut by a crash (its sender died holding the lease) shows as interrupted once the message
 * is leased again: in `deliveries show` and in the API's JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createWorker } from '../../packages/persona-webhooks/src/worker/worker.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';
import { runCli } from '../helpers/run-cli.js';
import { ingestBuilt } from '../worker/temp-store.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-interrupted-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an attempt cut by a crash', () => {
  it('is marked interrupted when the message is sent again', async () => {
    const file = join(dir, 'db.sqlite');
    const store = createSqliteServiceStore(file);
    let id: string;
    try {
      await store.migrate();
      await store.putEndpoint({
        id: 'ep_a',
        url: 'http://127.0.0.1:9/kyc',
        secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAtMs: null }],
        enabled: true,
        source: 'cli',
        createdAtMs: Date.now(),
      });
      await ingestBuilt(
        store,
        buildEvent({ name: 'inquiry.approved', referenceId: 'u1', inquiryId: 'inq_u1' }),
      );
      await createWorker({ store }).drain();
      const now = Date.now();
      // The first sender "dies" holding its lease; the next one leases it once that ran out, and fails.
      const [lost] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now });
      const [again] = await store.claimDeliveries({ limit: 1, leaseMs: 1_000, nowMs: now + 1_000 });
      id = lost!.id;
      const refused = {
        ok: false,
        statusCode: null,
        error: 'connection failed (ECONNREFUSED)',
        durationMs: 3,
      };
      await store.finishDelivery(again!, refused, now + 3_600_000, now + 1_010);
    } finally {
      await store.close();
    }
    const shown = await runCli(['deliveries', 'show', id, '--database-url', `sqlite:${file}`]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      /^1\s+\S+ \S+ UTC\s+interrupted\s+-\s+interrupted: the sender stopped before an answer was recorded$/m,
    );
    expect(shown.stdout).toMatch(/^2\s+\S+ \S+ UTC\s+\d+ ms\s+-\s+connection failed \(ECONNREFUSED\)$/m);
    const json = JSON.parse(
      (await runCli(['deliveries', 'show', id, '--json', '--database-url', `sqlite:${file}`])).stdout,
    ) as { attemptLog: Array<{ interrupted: boolean }> };
    expect(json.attemptLog.map((a) => a.interrupted)).toEqual([true, false]);
  });
});
