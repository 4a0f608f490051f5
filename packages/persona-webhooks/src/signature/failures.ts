/**
 * The failure results and their messages. Each message names the likely cause and the fix, and never
 * contains a secret, a signature or payload data, so it is safe to return in a 401 body and to log.
 */
import type { SignatureFailureReason, VerifyFailure } from './types.js';

function failure(reason: SignatureFailureReason, message: string): VerifyFailure {
  return { ok: false, reason, message };
}

/** The header is absent or empty. */
export const MISSING_HEADER: VerifyFailure = Object.freeze(
  failure(
    'missing_header',
    'The Persona-Signature header is absent. Is the request really from Persona, and is a proxy or load balancer stripping the header?',
  ),
);

/** The header is not in Persona's `t=<seconds>,v1=<hex>` format. */
export const MALFORMED_HEADER: VerifyFailure = Object.freeze(
  failure(
    'malformed_header',
    'The Persona-Signature header is not in Persona\'s format "t=<unix seconds>,v1=<64 hex chars>" (space-separated sets during rotation). Was it copied or forwarded wrongly?',
  ),
);

/** A configured secret would have to match, and none did. */
export const NO_MATCHING_SIGNATURE: VerifyFailure = Object.freeze(
  failure(
    'no_matching_signature',
    'No configured secret matched: re-copy the secret from Persona Dashboard → Webhooks, and make sure the raw request bytes are hashed (a JSON body parser that re-serialises changes them).',
  ),
);

/** Every signature set is older or newer than the tolerance allows; `skewSeconds` is the smallest offset. */
export function timestampOutOfTolerance(skewSeconds: number, toleranceSeconds: number): VerifyFailure {
  const direction = skewSeconds < 0 ? 'behind' : 'ahead of';
  return failure(
    'timestamp_out_of_tolerance',
    `The signature timestamp is ${Math.round(Math.abs(skewSeconds))} s ${direction} the server clock; the tolerance is ${toleranceSeconds} s. ` +
      'Check the server clock (NTP), or this may be a replayed request.',
  );
}
