import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../packages/persona-webhooks/src/errors.js';
import { openWalSync } from '../../packages/persona-webhooks/src/store/sqlite/wal-sync.js';

/** An fdatasync stand-in that completes only when the test says so, and counts its calls. */
function manualFlush() {
  const calls: Array<(error: NodeJS.ErrnoException | null) => void> = [];
  return {
    calls,
    flush: (_fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      calls.push(callback);
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WAL sync off the event loop', () => {
  let dir: string;
  let wal: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
    wal = join(dir, 'db-wal');
    writeFileSync(wal, 'frames');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one sync at a time; callers arriving during one share the next, started after it', async () => {
    const fake = manualFlush();
    const sync = openWalSync(wal, fake.flush);
    const settled: string[] = [];
    const first = sync.sync().then(() => settled.push('first'));
    const late = [sync.sync(), sync.sync(), sync.sync()].map((p, i) =>
      p.then(() => settled.push(`late${i}`)),
    );
    expect(fake.calls).toHaveLength(1);

    fake.calls[0]?.(null);
    await first;
    await tick();
    // The late callers may have committed after the first sync began: they get a sync of their own.
    expect(settled).toEqual(['first']);
    expect(fake.calls).toHaveLength(2);
    fake.calls[1]?.(null);
    await Promise.all(late);
    expect(settled).toEqual(['first', 'late0', 'late1', 'late2']);

    // Idle again: the next caller starts a sync at once.
    const next = sync.sync();
    expect(fake.calls).toHaveLength(3);
    fake.calls[2]?.(null);
    await next;
    sync.close();
  });

  it('rejects every caller waiting on a failed sync with StoreUnavailableError, and syncs again afterwards', async () => {
    const fake = manualFlush();
    const sync = openWalSync(wal, fake.flush);
    const failed = sync.sync();
    fake.calls[0]?.(Object.assign(new Error('I/O error'), { code: 'EIO' }));
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.toThrow(/could not flush its write-ahead log to disk \(EIO\)/);
    const again = sync.sync();
    expect(fake.calls).toHaveLength(2);
    fake.calls[1]?.(null);
    await expect(again).resolves.toBeUndefined();
    sync.close();
  });

  it('flushes a real file with fdatasync, and refuses once closed', async () => {
    const sync = openWalSync(wal);
    await expect(sync.sync()).resolves.toBeUndefined();
    sync.close();
    await expect(sync.sync()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
