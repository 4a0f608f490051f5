/**
 * Validation of what the programmer passes (secrets, tolerance, clock, timestamp), shared by the Node and
 * Web signers and verifiers. Misuse throws `TypeError` at once: a misconfigured receiver must fail loudly,
 * not answer 401 to every genuine delivery.
 */
import type { SignOptions, VerifyOptions } from './types.js';

/** Persona publishes no tolerance; 300 s both ways is Stripe's and Standard Webhooks' choice. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Verify options with defaults applied and every programmer-supplied value checked. */
export interface CheckedVerifyOptions {
  secrets: readonly string[];
  toleranceSeconds: number;
  now: number;
}

/** Checks the programmer-supplied parts of `VerifyOptions` (never the header or body, which are attacker input). */
export function checkVerifyOptions(options: VerifyOptions): CheckedVerifyOptions {
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : options.secrets;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new TypeError(
      'persona-webhooks: at least one webhook secret is required (Persona Dashboard → Webhooks).',
    );
  }
  for (const secret of secrets) checkSecret(secret);
  checkBody(options.body);

  const toleranceSeconds = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new TypeError(
      'persona-webhooks: toleranceSeconds must be a finite number ≥ 0 (0 disables the check).',
    );
  }
  const now = options.now ?? Date.now() / 1000;
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError('persona-webhooks: now must be the current unix time in seconds.');
  }
  return { secrets, toleranceSeconds, now };
}

/** Checks `SignOptions` and returns the timestamp to sign, exactly as it will appear in the header. */
export function checkSignOptions(options: SignOptions): string {
  checkSecret(options.secret);
  checkBody(options.body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('persona-webhooks: timestamp must be a non-negative integer of unix seconds.');
  }
  return String(timestamp);
}

function checkSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('persona-webhooks: each webhook secret must be a non-empty string (wbhsec_…).');
  }
}

function checkBody(body: unknown): asserts body is Uint8Array | string {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    // The usual cause is a JSON body parser that ran first and replaced the bytes with an object.
    throw new TypeError(
      'persona-webhooks: body must be the raw request bytes (Uint8Array/Buffer) or string, not a parsed object.',
    );
  }
}
