/**
 * Persona webhook signatures with `node:crypto`: `v1 = hex(HMAC-SHA256(secret, t + "." + raw body bytes))`.
 */
import { createHmac, createSecretKey, type Hmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { NO_MATCHING_SIGNATURE } from './failures.js';
import { KeyCache } from './key-cache.js';
import { checkSignOptions } from './signature-options.js';
import type { SignOptions, VerifyOptions, VerifyResult } from './types.js';
import { matched, planVerification } from './verification-plan.js';

/**
 * Signs a body as Persona does and returns the `Persona-Signature` header value `t=…,v1=…`.
 * Throws `TypeError` on an empty secret, a body that is not bytes or a string, or a bad timestamp.
 *
 * @example
 * const header = sign({ secret: 'wbhsec_…', body: rawBody, timestamp: 1_700_000_000 });
 * // 't=1700000000,v1=5f1c…'
 */
export function sign(options: SignOptions): string {
  const t = checkSignOptions(options);
  return `t=${t},v1=${hmac(options.secret, t, options.body).digest('hex')}`;
}

/**
 * Verifies a Persona delivery against one or more secrets. Never throws for any header or body content
 * (that is attacker input): a bad request yields `{ ok: false, reason, message }`. Programmer misuse —
 * no secrets, an empty secret, a parsed-object body, a negative or NaN tolerance — throws `TypeError`.
 *
 * @example
 * const result = verifySignature({
 *   body: rawBody, // the exact bytes received, before any JSON parsing
 *   header: req.headers['persona-signature'],
 *   secrets: [process.env.PERSONA_WEBHOOK_SECRET!],
 * });
 * if (!result.ok) return reply.code(401).send({ reason: result.reason, message: result.message });
 */
export function verifySignature(options: VerifyOptions): VerifyResult {
  const plan = planVerification(options);
  if (!('candidates' in plan)) return plan;
  for (const candidate of plan.candidates) {
    expected.write(hmac(candidate.secret, candidate.set.rawTimestamp, options.body).digest('hex'), 'latin1');
    for (const signature of candidate.set.signatures) {
      // Parsed `v1` values are always 64 lower-case hex characters, like the digest; the length check
      // (which a valid header always passes) keeps a short write from comparing stale bytes.
      if (signature.length !== HEX_LENGTH) continue;
      received.write(signature, 'latin1');
      if (timingSafeEqual(received, expected)) return matched(candidate);
    }
  }
  return NO_MATCHING_SIGNATURE;
}

/** The secret's UTF-8 bytes as a KeyObject, so `createHmac` does not re-derive the key on every request. */
const keys = new KeyCache<KeyObject>((secret) => createSecretKey(Buffer.from(secret, 'utf8')));

/** Streams `t.` and then the body into the HMAC, so the body is hashed byte-for-byte and never copied. */
function hmac(secret: string, rawTimestamp: string, body: Uint8Array | string): Hmac {
  const mac = createHmac('sha256', keys.get(secret)).update(rawTimestamp + '.');
  if (typeof body === 'string') mac.update(body, 'utf8');
  else mac.update(body);
  return mac;
}

/**
 * The hex digests being compared, as bytes for `timingSafeEqual`. Reused by every verification (which is
 * synchronous, so never shared by two at once): allocating buffers per request measurably slowed it.
 */
const HEX_LENGTH = 64;
const expected = Buffer.alloc(HEX_LENGTH);
const received = Buffer.alloc(HEX_LENGTH);
