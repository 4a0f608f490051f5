/**
 * Persona webhook signatures for Node.js. The Web Crypto variant (`signWeb`, `verifySignatureWeb`) is
 * exported from `./web.js` so that importing it never pulls in `node:crypto`.
 */

export { sign, verifySignature } from './node.js';
export { DEFAULT_TOLERANCE_SECONDS } from './options.js';
export type {
  SignatureFailureReason,
  SignOptions,
  VerifyFailure,
  VerifyOptions,
  VerifyResult,
  VerifySuccess,
} from './types.js';
