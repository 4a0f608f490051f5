/**
 * The result and option types shared by the Node (`node:crypto`) and Web (`crypto.subtle`) verifiers.
 */

/** Why a `Persona-Signature` check failed; stable strings, safe to log and count in metrics. */
export type SignatureFailureReason =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature';

/** A failed check: `message` explains the likely cause and fix and never echoes secrets or signatures. */
export interface VerifyFailure {
  ok: false;
  reason: SignatureFailureReason;
  message: string;
}

/** A successful check: the signed timestamp (unix seconds) and the index of the configured secret that matched. */
export interface VerifySuccess {
  ok: true;
  timestamp: number;
  secretIndex: number;
}

/** The outcome of verifying one delivery. Attacker input never makes a verifier throw; it yields a failure. */
export type VerifyResult = VerifySuccess | VerifyFailure;

/** What a verifier needs: the raw body, the header as received, and the configured secret(s). */
export interface VerifyOptions {
  /** The raw request body exactly as received. A string is taken as UTF-8; never pass re-serialised JSON. */
  body: Uint8Array | string;
  /**
   * The `Persona-Signature` header value. Node gives `string[]` for a repeated header; its parts are
   * joined with a space, the separator Persona uses between signature sets.
   */
  header: string | readonly string[] | null | undefined;
  /** Webhook secret(s) (`wbhsec_…`), used whole, prefix included; several during rotation. */
  secrets: string | readonly string[];
  /** Allowed clock skew in seconds, checked in both directions. Default 300; `0` disables the check. */
  toleranceSeconds?: number;
  /** Current unix time in seconds. Default `Date.now() / 1000`. */
  now?: number;
}

/** What `sign` / `signWeb` need to produce a `Persona-Signature` header value. */
export interface SignOptions {
  /** The webhook secret (`wbhsec_…`), used whole. */
  secret: string;
  /** The exact body bytes that will be sent; a string is taken as UTF-8. */
  body: Uint8Array | string;
  /** Unix seconds to sign with. Default now. */
  timestamp?: number;
}
