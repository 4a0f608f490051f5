import { describe, expect, it } from 'vitest';
import { sign, verifySignature } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import type { SignOptions, VerifyOptions } from '../../packages/persona-webhooks/src/signature/types.js';
import { signWeb, verifySignatureWeb } from '../../packages/persona-webhooks/src/signature/web-crypto.js';

const VALID: VerifyOptions = { body: '{}', header: 't=1,v1=' + 'a'.repeat(64), secrets: 'wbhsec_x', now: 1 };

/** Programmer mistakes: each must throw TypeError rather than quietly answer 401 to every delivery. */
const verifyMisuse: Array<[string, Partial<VerifyOptions>]> = [
  ['no secrets', { secrets: [] }],
  ['an empty secret', { secrets: '' }],
  ['an empty secret among valid ones', { secrets: ['wbhsec_x', ''] }],
  ['a non-string secret', { secrets: [42 as unknown as string] }],
  ['secrets that are neither string nor array', { secrets: undefined as unknown as string }],
  ['a negative tolerance', { toleranceSeconds: -1 }],
  ['a NaN tolerance', { toleranceSeconds: Number.NaN }],
  ['an infinite tolerance', { toleranceSeconds: Number.POSITIVE_INFINITY }],
  ['a NaN clock', { now: Number.NaN }],
  ['a parsed JSON body', { body: { data: {} } as unknown as string }],
];

const signMisuse: Array<[string, Partial<SignOptions>]> = [
  ['an empty secret', { secret: '' }],
  ['a negative timestamp', { timestamp: -1 }],
  ['a fractional timestamp', { timestamp: 1.5 }],
  ['a NaN timestamp', { timestamp: Number.NaN }],
  ['a parsed JSON body', { body: null as unknown as string }],
];

describe('programmer misuse throws TypeError', () => {
  it.each(verifyMisuse)('verifySignature with %s', (_, patch) => {
    expect(() => verifySignature({ ...VALID, ...patch })).toThrow(TypeError);
  });

  it.each(verifyMisuse)('verifySignatureWeb with %s', async (_, patch) => {
    await expect(verifySignatureWeb({ ...VALID, ...patch })).rejects.toThrow(TypeError);
  });

  it.each(signMisuse)('sign / signWeb with %s', async (_, patch) => {
    const options = { secret: 'wbhsec_x', body: '{}', timestamp: 1, ...patch };
    expect(() => sign(options)).toThrow(TypeError);
    await expect(signWeb(options)).rejects.toThrow(TypeError);
  });

  it('still reports a missing header as a result when the options are valid', () => {
    expect(verifySignature({ ...VALID, header: undefined })).toMatchObject({ reason: 'missing_header' });
  });
});
