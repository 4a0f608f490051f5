import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../packages/persona-webhooks/src/store/group-commit.js';

class Outage extends Error {}
class BadRow extends Error {}

/** A store double: one transaction per commit call; a batch holding 'bad' fails as a whole. */
function groupCommit(mode: 'sync' | 'async', outage = false) {
  const transactions: string[][] = [];
  const commit = (items: readonly string[]) => {
    transactions.push([...items]);
    if (outage) throw new Outage('database down');
    if (items.includes('bad')) throw new BadRow('row refused');
    return items.map((item) => `stored ${item}`);
  };
  const queue = new GroupCommit<string, string>({
    maxBatchSize: 100,
    commit: mode === 'sync' ? commit : async (items) => commit(items),
    mapError: (error) => error,
    mayBeItemError: (error) => error instanceof BadRow,
  });
  return { queue, transactions };
}

describe('GroupCommit', () => {
  it.each(['sync', 'async'] as const)(
    '(%s) commits concurrent writes in one transaction; one bad item fails alone and its neighbours are stored',
    async (mode) => {
      const { queue, transactions } = groupCommit(mode);
      const good = await Promise.all(['a', 'b'].map((item) => queue.submit(item)));
      expect(good).toEqual(['stored a', 'stored b']);
      expect(transactions).toEqual([['a', 'b']]);

      const results = await Promise.allSettled(['c', 'bad', 'd'].map((item) => queue.submit(item)));
      expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
        'stored c',
        'row refused',
        'stored d',
      ]);
      // The failed batch, then each item alone.
      expect(transactions.slice(1)).toEqual([['c', 'bad', 'd'], ['c'], ['bad'], ['d']]);
      await queue.drain();
    },
  );

  it('rejects every caller of a batch when the database is unavailable, without retrying items one by one', async () => {
    const { queue, transactions } = groupCommit('sync', true);
    const results = await Promise.allSettled(['a', 'b', 'c'].map((item) => queue.submit(item)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof Outage)).toBe(true);
    expect(transactions).toEqual([['a', 'b', 'c']]);
  });

  it('starts a new batch for an item that does not fit the queued one, keeping the order', async () => {
    const transactions: string[][] = [];
    const queue = new GroupCommit<string, string>({
      maxBatchSize: 100,
      commit: async (items) => {
        transactions.push([...items]);
        return [...items];
      },
      mapError: (error) => error,
      // Items sharing a first letter may not share a batch.
      fits: (queued, item) => !queued.some((other) => other[0] === item[0]),
    });
    await Promise.all(['a1', 'b1', 'a2', 'c1', 'a3', 'b2'].map((item) => queue.submit(item)));
    expect(transactions).toEqual([
      ['a1', 'b1'],
      ['a2', 'c1'],
      ['a3', 'b2'],
    ]);
  });
});
