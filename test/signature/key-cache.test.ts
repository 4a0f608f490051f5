import { describe, expect, it } from 'vitest';
import { KeyCache } from '../../packages/persona-webhooks/src/signature/key-cache.js';
import { VARIANTS } from './variants.js';

describe('KeyCache', () => {
  it('prepares each secret once, drops the oldest when full, and re-prepares after delete', () => {
    const prepared: string[] = [];
    const cache = new KeyCache((secret) => {
      prepared.push(secret);
      return `key:${secret}`;
    }, 2);
    expect(cache.get('a')).toBe('key:a');
    expect(cache.get('a')).toBe('key:a');
    cache.get('b');
    cache.get('c'); // evicts a
    cache.get('b');
    cache.get('a');
    cache.delete('a');
    cache.get('a');
    expect(prepared).toEqual(['a', 'b', 'c', 'a', 'a']);
  });
});

describe.each(VARIANTS)('$name verifier with more secrets than the key cache holds', (variant) => {
  it('still finds the matching secret and reports its index', async () => {
    const secrets = Array.from({ length: 40 }, (_, i) => `wbhsec_many_${i}`);
    const body = '{"data":{"id":"evt_many"}}';
    for (const index of [0, 39, 17]) {
      const header = await variant.sign({ secret: secrets[index]!, body, timestamp: 100 });
      expect(await variant.verify({ body, header, secrets, now: 100 })).toEqual({
        ok: true,
        timestamp: 100,
        secretIndex: index,
      });
    }
  });
});
