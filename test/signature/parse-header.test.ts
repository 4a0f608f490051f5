import { describe, expect, it } from 'vitest';
import { parseSignatureHeader } from '../../packages/persona-webhooks/src/signature/parse-header.js';

const HEX = '0123456789abcdef'.repeat(4);

describe('parseSignatureHeader', () => {
  it('decodes one set, keeping t exactly as sent', () => {
    const [set, ...rest] = parseSignatureHeader(`t=0042,v1=${HEX}`) ?? [];
    expect(rest).toEqual([]);
    expect(set?.rawTimestamp).toBe('0042');
    expect(set?.timestamp).toBe(42);
    expect(set?.signatures).toEqual([HEX]);
  });

  it('lower-cases upper-case hex, so it compares equal to a digest', () => {
    const sets = parseSignatureHeader(`t=1,V1=${HEX.toUpperCase()}`);
    expect(sets?.[0]?.signatures).toEqual([HEX]);
  });

  it('keeps sets with different t apart and merges sets sharing a t', () => {
    const other = 'f'.repeat(64);
    const sets = parseSignatureHeader(`t=1,v1=${HEX} t=2,v1=${other} t=1,v1=${other}`);
    expect(sets?.map((set) => [set.rawTimestamp, set.signatures.length])).toEqual([
      ['1', 2],
      ['2', 1],
    ]);
  });

  it('accepts exactly 8 sets and 16 signatures', () => {
    expect(
      parseSignatureHeader(Array.from({ length: 8 }, (_, i) => `t=${i},v1=${HEX},v1=${HEX}`).join(' ')),
    ).toHaveLength(8);
  });

  it.each([
    '',
    ' ',
    ',',
    't=1',
    `v1=${HEX}`,
    `t=1,v1=${HEX}x`,
    `t=1,v1=${HEX.slice(1)}`,
    `t=1,v1=${HEX.slice(2)}zz`,
    `t=1x,v1=${HEX}`,
    `t=+1,v1=${HEX}`,
    `t= 1,v1=${HEX}`,
  ])('returns null for %j', (header) => {
    expect(parseSignatureHeader(header)).toBeNull();
  });
});
