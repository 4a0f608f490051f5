import { describe, expect, it } from 'vitest';
import { VARIANTS } from './variants.js';
import { FIXTURE_BODY, VECTORS } from './vectors.js';

describe.each(VARIANTS)('$name: OpenSSL vectors', (variant) => {
  const canonical = VECTORS.filter((vector) => String(Number(vector.timestamp)) === vector.timestamp);

  it('covers the fixture, a float body, non-ASCII UTF-8 and a leading-zero t', () => {
    expect(VECTORS.some((vector) => vector.body.equals(FIXTURE_BODY))).toBe(true);
    expect(VECTORS.some((vector) => vector.body.includes('40.172463903'))).toBe(true);
    expect(VECTORS.some((vector) => vector.body.some((byte) => byte > 0x7f))).toBe(true);
    expect(canonical.length).toBeLessThan(VECTORS.length);
  });

  it.each(canonical)('sign reproduces "$name"', async (vector) => {
    const header = await variant.sign({
      secret: vector.secret,
      body: vector.body,
      timestamp: Number(vector.timestamp),
    });
    expect(header).toBe(`t=${vector.timestamp},v1=${vector.expected}`);
  });

  it.each(VECTORS)('verify accepts "$name"', async (vector) => {
    const result = await variant.verify({
      body: vector.body,
      header: `t=${vector.timestamp},v1=${vector.expected}`,
      secrets: vector.secret,
      now: Number(vector.timestamp),
    });
    expect(result).toEqual({ ok: true, timestamp: Number(vector.timestamp), secretIndex: 0 });
  });

  // Bodies whose bytes change when parsed and re-serialised: the fixture (whitespace) and the float body.
  const changedByReserialising = VECTORS.filter(
    (vector) => vector.body.equals(FIXTURE_BODY) || vector.body.includes('40.172463903'),
  );

  it.each(changedByReserialising)(
    'verify refuses JSON.stringify(JSON.parse(body)) of "$name" (the classic mistake)',
    async (vector) => {
      const reserialised = JSON.stringify(JSON.parse(vector.body.toString('utf8')));
      expect(reserialised).not.toBe(vector.body.toString('utf8'));
      const result = await variant.verify({
        body: reserialised,
        header: `t=${vector.timestamp},v1=${vector.expected}`,
        secrets: vector.secret,
        now: Number(vector.timestamp),
      });
      expect(result).toMatchObject({ ok: false, reason: 'no_matching_signature' });
    },
  );
});
