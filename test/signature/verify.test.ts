import { describe, expect, it } from 'vitest';
import type { VerifyOptions } from '../../packages/persona-webhooks/src/signature/types.js';
import { VARIANTS } from './variants.js';

const NOW = 1_700_000_000;
const SECRET = 'wbhsec_current_0123456789';
const OLD_SECRET = 'wbhsec_previous_abcdefghij';
const BODY = '{"data":{"type":"event","id":"evt_1","attributes":{"completion-time":40.172463903}}}';

describe.each(VARIANTS)('$name verifier', (variant) => {
  /** The `t=…,v1=…` set for BODY signed with `secret` at `t`. */
  const set = (secret = SECRET, t = NOW, body: VerifyOptions['body'] = BODY) =>
    variant.sign({ secret, body, timestamp: t });
  const v1Of = (header: string) => header.slice(header.indexOf('v1=') + 3);
  const verify = (header: VerifyOptions['header'], extra: Partial<VerifyOptions> = {}) =>
    variant.verify({ body: BODY, header, secrets: SECRET, now: NOW, ...extra });

  it('accepts a valid signature and reports its timestamp and secret', async () => {
    expect(await verify(await set())).toEqual({ ok: true, timestamp: NOW, secretIndex: 0 });
  });

  describe('secret rotation', () => {
    it('accepts the right signature in the first or the second set', async () => {
      const right = await set();
      const wrong = await set(OLD_SECRET);
      expect(await verify(`${right} ${wrong}`)).toMatchObject({ ok: true });
      expect(await verify(`${wrong} ${right}`)).toMatchObject({ ok: true });
    });

    it('verifies each set against its own t', async () => {
      const older = await set(OLD_SECRET, NOW - 10);
      const newer = await set(SECRET, NOW);
      const header = `${older} ${newer}`;
      expect(await verify(header, { secrets: SECRET })).toEqual({ ok: true, timestamp: NOW, secretIndex: 0 });
      expect(await verify(header, { secrets: OLD_SECRET })).toEqual({
        ok: true,
        timestamp: NOW - 10,
        secretIndex: 0,
      });
      // A signature moved under another set's t no longer matches.
      const swapped = `t=${NOW},v1=${v1Of(older)} t=${NOW - 10},v1=${v1Of(newer)}`;
      expect(await verify(swapped, { secrets: [SECRET, OLD_SECRET] })).toMatchObject({
        ok: false,
        reason: 'no_matching_signature',
      });
    });

    it('reports which configured secret matched', async () => {
      const secrets = ['wbhsec_a', 'wbhsec_b', SECRET];
      expect(await verify(await set(), { secrets })).toEqual({ ok: true, timestamp: NOW, secretIndex: 2 });
      expect(await verify(await set('wbhsec_b'), { secrets })).toMatchObject({ secretIndex: 1 });
    });

    it('accepts several v1 in one set', async () => {
      const wrong = v1Of(await set(OLD_SECRET));
      expect(await verify(`t=${NOW},v1=${wrong},v1=${v1Of(await set())}`)).toMatchObject({ ok: true });
    });

    it('accepts the header as string[] (a repeated node header), joined as sets', async () => {
      expect(await verify([await set(OLD_SECRET), await set()])).toMatchObject({ ok: true });
      expect(await verify([])).toMatchObject({ ok: false, reason: 'missing_header' });
    });
  });

  it('refuses a wrong secret', async () => {
    expect(await verify(await set(OLD_SECRET))).toMatchObject({ ok: false, reason: 'no_matching_signature' });
  });

  it('refuses a body changed by one byte', async () => {
    const header = await set();
    expect(await verify(header, { body: BODY.replace('903', '90') })).toMatchObject({
      reason: 'no_matching_signature',
    });
  });

  describe('timestamp tolerance', () => {
    it.each([
      ['stale', -301],
      ['future', 301],
    ])('refuses a %s timestamp just outside 300 s', async (_, offset) => {
      const result = await verify(await set(SECRET, NOW + offset));
      expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
      expect(!result.ok && result.message).toContain('301 s');
    });

    it.each([-300, 300])('accepts an offset of exactly %i s', async (offset) => {
      expect(await verify(await set(SECRET, NOW + offset))).toMatchObject({ ok: true });
    });

    it('honours a custom tolerance, and 0 disables the check', async () => {
      const header = await set(SECRET, NOW - 20);
      expect(await verify(header, { toleranceSeconds: 10 })).toMatchObject({
        reason: 'timestamp_out_of_tolerance',
      });
      expect(await verify(header, { toleranceSeconds: 30 })).toMatchObject({ ok: true });
      const ancient = await set(SECRET, 1);
      expect(await verify(ancient, { toleranceSeconds: 0 })).toEqual({
        ok: true,
        timestamp: 1,
        secretIndex: 0,
      });
    });

    it('defaults now to the real clock', async () => {
      const header = await variant.sign({ secret: SECRET, body: BODY });
      expect(await variant.verify({ body: BODY, header, secrets: SECRET })).toMatchObject({ ok: true });
      expect(await variant.verify({ body: BODY, header: await set(), secrets: SECRET })).toMatchObject({
        reason: 'timestamp_out_of_tolerance',
      });
    });

    it('judges the timestamp before the signature (documented order)', async () => {
      // Stale and wrongly signed: reported as stale, without hashing the body.
      expect(await verify(await set(OLD_SECRET, NOW - 1000))).toMatchObject({
        reason: 'timestamp_out_of_tolerance',
      });
      // A correctly signed but stale set does not rescue a fresh set with a wrong signature.
      const header = `${await set(SECRET, NOW - 1000)} ${await set(OLD_SECRET)}`;
      expect(await verify(header)).toMatchObject({ reason: 'no_matching_signature' });
    });
  });

  describe('tolerated variations', () => {
    it('accepts surrounding whitespace, repeated spaces and tabs between sets', async () => {
      const right = await set();
      const wrong = await set(OLD_SECRET);
      expect(await verify(`  ${right}\t`)).toMatchObject({ ok: true });
      expect(await verify(`${wrong}    ${right}`)).toMatchObject({ ok: true });
      expect(await verify(`${wrong} \t ${right}`)).toMatchObject({ ok: true });
    });

    it('accepts upper-case hex and keys', async () => {
      expect(await verify((await set()).toUpperCase())).toMatchObject({ ok: true });
    });

    it('ignores v0=, v2= and unknown elements', async () => {
      const v1 = v1Of(await set());
      expect(await verify(`t=${NOW},v0=zz,v2=${'0'.repeat(64)},v1=${v1},foo,=x,`)).toMatchObject({
        ok: true,
      });
      // A valid signature under an unknown scheme is not a v1 signature.
      expect(await verify(`t=${NOW},v2=${v1}`)).toMatchObject({ reason: 'malformed_header' });
      expect(await verify(`t=${NOW},v0=${v1}`)).toMatchObject({ reason: 'malformed_header' });
    });

    it('skips an unusable set when another is usable', async () => {
      expect(await verify(`t=abc,v1=1 ${await set()}`)).toMatchObject({ ok: true });
    });

    it('treats string, Buffer and Uint8Array bodies identically', async () => {
      const header = await set();
      const bytes = Buffer.from(BODY, 'utf8');
      // A view into a larger buffer: only its own bytes are hashed.
      const padded = new Uint8Array(bytes.length + 8);
      padded.set(bytes, 4);
      const view = padded.subarray(4, 4 + bytes.length);
      for (const body of [BODY, bytes, new Uint8Array(bytes), view]) {
        expect(await verify(header, { body })).toEqual({ ok: true, timestamp: NOW, secretIndex: 0 });
      }
      expect(await set(SECRET, NOW, view)).toBe(header);
    });
  });

  describe('missing and malformed headers', () => {
    it.each([undefined, null, '', '   '])('reports %j as missing', async (header) => {
      const result = await verify(header);
      expect(result).toMatchObject({ ok: false, reason: 'missing_header' });
      expect(!result.ok && result.message).toContain('Persona-Signature');
    });

    const v1 = 'ab'.repeat(32);
    it.each([
      ['non-integer t', `t=1.5,v1=${v1}`],
      ['negative t', `t=-1,v1=${v1}`],
      ['exponent t', `t=1e9,v1=${v1}`],
      ['empty t', `t=,v1=${v1}`],
      ['t beyond a safe integer', `t=99999999999999999999,v1=${v1}`],
      ['two t in one set', `t=${NOW},t=${NOW},v1=${v1}`],
      ['no t', `v1=${v1}`],
      ['no v1', `t=${NOW}`],
      ['63-char v1', `t=${NOW},v1=${v1.slice(1)}`],
      ['65-char v1', `t=${NOW},v1=${v1}a`],
      ['non-hex v1', `t=${NOW},v1=${'g'.repeat(64)}`],
      ['GitHub-style header', `sha256=${v1}`],
      ['comma-separated sets', `t=${NOW},v1=${v1},t=${NOW},v1=${v1}`],
      ['space after comma', `t=${NOW}, v1=${v1}`],
      ['more than 8 sets', Array.from({ length: 9 }, () => `t=${NOW},v1=${v1}`).join(' ')],
      ['more than 16 signatures', `t=${NOW}${`,v1=${v1}`.repeat(17)}`],
    ])('reports %s as malformed', async (_, header) => {
      expect(await verify(header)).toMatchObject({ ok: false, reason: 'malformed_header' });
    });

    it('refuses headers over 8 KiB, even around a valid set', async () => {
      const right = await set();
      expect(await verify(right.padEnd(8 * 1024, ' '))).toMatchObject({ ok: true });
      expect(await verify(right.padEnd(8 * 1024 + 1, ' '))).toMatchObject({ reason: 'malformed_header' });
    });

    it('reports a non-string header as malformed instead of throwing', async () => {
      for (const header of [42, {}, [1, 2], ['ok', null]]) {
        expect(await verify(header as unknown as string)).toMatchObject({ reason: 'malformed_header' });
      }
    });
  });

  it('never echoes the secret or a signature in a failure message', async () => {
    const right = await set();
    const headers = [right, `t=${NOW - 999},v1=${v1Of(right)}`, 'garbage', undefined];
    for (const header of headers) {
      const result = await verify(header, { secrets: [OLD_SECRET] });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.message).not.toContain(OLD_SECRET);
      expect(result.message).not.toContain('wbhsec_');
      expect(result.message.toLowerCase()).not.toContain(v1Of(right));
    }
  });
});
