import { sign, verifySignature } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import type {
  SignOptions,
  VerifyOptions,
  VerifyResult,
} from '../../packages/persona-webhooks/src/signature/types.js';
import { signWeb, verifySignatureWeb } from '../../packages/persona-webhooks/src/signature/web-crypto.js';

/** The Node and Web implementations behind one async shape, so every behavioural test runs against both. */
export interface Variant {
  name: 'node' | 'web';
  sign(options: SignOptions): Promise<string>;
  verify(options: VerifyOptions): Promise<VerifyResult>;
}

/** `sign` / `verifySignature` (node:crypto), wrapped as promises. */
export const NODE: Variant = {
  name: 'node',
  sign: async (options) => sign(options),
  verify: async (options) => verifySignature(options),
};

/** `signWeb` / `verifySignatureWeb` (crypto.subtle). */
export const WEB: Variant = { name: 'web', sign: signWeb, verify: verifySignatureWeb };

/** Both implementations, for `describe.each`. */
export const VARIANTS: readonly Variant[] = [NODE, WEB];
