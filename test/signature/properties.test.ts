import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE, VARIANTS, WEB } from './variants.js';

const RUNS = { numRuns: 500 };
const SECRET = 'wbhsec_property_secret';
const NOW = 1_700_000_000;

/** Headers that look almost like Persona's: built from its own fragments, with random hex and digits. */
const nearMissHeader = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        't=',
        'v1=',
        'v0=',
        'v2=',
        'T=',
        'V1=',
        ',',
        ' ',
        '  ',
        '\t',
        '=',
        String(NOW),
        '-',
        '.',
      ),
      fc.stringMatching(/^[0-9]{1,12}$/),
      fc.stringMatching(/^[0-9a-fA-F]{60,68}$/),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/** Well-formed headers carrying random (hence wrong) signatures around the current time. */
const wellFormedForgery = fc
  .array(
    fc.record({
      t: fc.integer({ min: NOW - 400, max: NOW + 400 }),
      sig: fc.stringMatching(/^[0-9a-f]{64}$/),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((sets) => sets.map(({ t, sig }) => `t=${t},v1=${sig}`).join(' '));

const anyHeader = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  nearMissHeader,
  wellFormedForgery,
  fc.string({ unit: fc.constantFrom(' ', 't', '='), minLength: 8000, maxLength: 9000 }),
);
const anyBody = fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), fc.uint8Array({ maxLength: 500 }));

describe.each(VARIANTS)('$name verifier properties', (variant) => {
  it('never throws and never verifies arbitrary headers and bodies without the secret', async () => {
    await fc.assert(
      fc.asyncProperty(anyHeader, anyBody, async (header, body) => {
        const result = await variant.verify({ body, header, secrets: SECRET, now: NOW });
        expect(result.ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('round-trips sign → verify for arbitrary bodies, secrets and timestamps, and a flipped byte fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 500 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.nat(),
        async (body, secret, timestamp, flipAt) => {
          const header = await variant.sign({ secret, body, timestamp });
          const ok = await variant.verify({
            body,
            header,
            secrets: ['wbhsec_other', secret],
            now: timestamp,
          });
          expect(ok).toEqual({ ok: true, timestamp, secretIndex: 1 });
          const tampered = Uint8Array.from(body);
          const index = flipAt % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ 0x01;
          const bad = await variant.verify({ body: tampered, header, secrets: secret, now: timestamp });
          expect(bad).toMatchObject({ ok: false, reason: 'no_matching_signature' });
        },
      ),
      RUNS,
    );
  });
});

describe('node and web agree', () => {
  it('give identical results (reason and message) for arbitrary headers', async () => {
    await fc.assert(
      fc.asyncProperty(anyHeader, anyBody, async (header, body) => {
        const options = { body, header, secrets: SECRET, now: NOW };
        expect(await WEB.verify(options)).toEqual(await NODE.verify(options));
      }),
      RUNS,
    );
  });

  it('sign identically for arbitrary string bodies, including lone surrogates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (body) => {
        const options = { secret: SECRET, body, timestamp: NOW };
        expect(await WEB.sign(options)).toBe(await NODE.sign(options));
      }),
      RUNS,
    );
  });
});
