/**
 * Everything about verifying a delivery except the cryptography, shared by `node.ts` and `web.ts` so the
 * two agree on every check, in the same order:
 *
 * 1. missing header → `missing_header`
 * 2. unparseable header → `malformed_header`
 * 3. no set within tolerance → `timestamp_out_of_tolerance`
 * 4. no in-tolerance set matching a secret → `no_matching_signature`
 *
 * The timestamp is judged before any signature, as Stripe does: a replayed or clock-skewed request is
 * rejected without hashing the body, and the reason does not reveal whether its signature was genuine.
 */
import { MALFORMED_HEADER, MISSING_HEADER, timestampOutOfTolerance } from './failures.js';
import { parseSignatureHeader, type SignatureSet } from './parse-header.js';
import { checkVerifyOptions } from './signature-options.js';
import type { VerifyFailure, VerifyOptions, VerifySuccess } from './types.js';

/** What is left to do once the header passed: find a candidate whose HMAC matches one of its set's signatures. */
export interface VerificationPlan {
  /**
   * Every (in-tolerance set, secret) pair, sets first, so the first match reports its own timestamp and
   * secret. Never empty. A plain array, not a generator: this runs on every request, before the HMAC.
   */
  readonly candidates: readonly Candidate[];
}

/** One HMAC to compute and compare: a set's timestamp with one configured secret. */
export interface Candidate {
  readonly set: SignatureSet;
  readonly secret: string;
  readonly secretIndex: number;
}

/**
 * Validates the options (throwing `TypeError` on programmer misuse) and runs every non-cryptographic check.
 * Returns a failure, or the plan of candidates the caller must check cryptographically.
 */
export function planVerification(options: VerifyOptions): VerifyFailure | VerificationPlan {
  const { secrets, toleranceSeconds, now } = checkVerifyOptions(options);

  const header = joinHeader(options.header);
  if (header === undefined) return MISSING_HEADER;
  const parsed = header === null ? null : parseSignatureHeader(header);
  // Blank is checked only on this failure path: a proxy that blanks the header has removed it.
  if (!parsed) return header?.trim() === '' ? MISSING_HEADER : MALFORMED_HEADER;

  const candidates: Candidate[] = [];
  for (const set of parsed) {
    if (toleranceSeconds !== 0 && Math.abs(set.timestamp - now) > toleranceSeconds) continue;
    for (let secretIndex = 0; secretIndex < secrets.length; secretIndex++) {
      candidates.push({ set, secret: secrets[secretIndex]!, secretIndex });
    }
  }
  if (candidates.length === 0) return timestampOutOfTolerance(smallestSkew(parsed, now), toleranceSeconds);
  return { candidates };
}

/** The success result for a candidate whose HMAC matched. */
export function matched(candidate: Candidate): VerifySuccess {
  return { ok: true, timestamp: candidate.set.timestamp, secretIndex: candidate.secretIndex };
}

/**
 * The header as one string: `undefined` when absent, `null` when it is neither a string nor a list of
 * strings (reported as malformed, never thrown).
 */
function joinHeader(header: unknown): string | null | undefined {
  if (header === null || header === undefined) return undefined;
  if (typeof header === 'string') return header;
  if (Array.isArray(header) && header.every((part) => typeof part === 'string')) return header.join(' ');
  return null;
}

function smallestSkew(sets: readonly SignatureSet[], now: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const set of sets) {
    const skew = set.timestamp - now;
    if (Math.abs(skew) < Math.abs(best)) best = skew;
  }
  return best;
}
