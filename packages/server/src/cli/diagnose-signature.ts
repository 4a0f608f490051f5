/**
 * Turns a failed verification into the likely cause, by re-trying the variants people typically get
 * wrong: a trailing newline added when saving the body, a body re-serialised by a JSON parser, a secret
 * copied without its prefix or with spaces.
 */

import type { VerifyResult } from 'persona-webhooks';
import { verifySignature } from 'persona-webhooks';

export interface Diagnosis {
  ok: boolean;
  check: string;
  explanation: string;
}

export function diagnoseSignature(input: {
  body: Uint8Array;
  header: string;
  secrets: string[];
  toleranceSeconds: number;
}): Diagnosis {
  const result = verifySignature(input);
  if (result.ok) {
    return {
      ok: true,
      check: 'ok',
      explanation: `Valid: signed at ${new Date(result.timestamp * 1000).toISOString()} with secret #${result.secretIndex + 1}.`,
    };
  }
  return {
    ok: false,
    check: result.reason,
    explanation: `${result.message}\nLikely cause: ${likelyCause(result, input)}`,
  };
}

function likelyCause(
  result: Exclude<VerifyResult, { ok: true }>,
  input: Parameters<typeof diagnoseSignature>[0],
): string {
  const matchesWith = (body: Uint8Array | string, secrets = input.secrets) =>
    verifySignature({ ...input, body, secrets, toleranceSeconds: 0 }).ok;
  switch (result.reason) {
    case 'missing_header':
      return 'the header value is empty — pass the whole Persona-Signature header value.';
    case 'malformed_header':
      return 'the header was copied wrong: it must look like "t=1700000000,v1=<64 hex>" (possibly two such sets separated by a space during rotation). Do not include the "Persona-Signature:" name.';
    case 'timestamp_out_of_tolerance':
      return matchesWith(input.body)
        ? 'the signature is right but old (or from the future): a replayed request, a saved delivery, or a wrong server clock. Use --tolerance 0 to check an old delivery.'
        : 'the timestamp is outside the tolerance and the signature does not match either.';
    case 'no_matching_signature': {
      const text = new TextDecoder().decode(input.body);
      if (text.endsWith('\n') && matchesWith(text.replace(/\r?\n$/, ''))) {
        return 'the body has an extra trailing newline (added when it was saved to a file); Persona signed it without one.';
      }
      const trimmedSecrets = input.secrets.map((s) => s.trim());
      if (trimmedSecrets.some((s, i) => s !== input.secrets[i]) && matchesWith(input.body, trimmedSecrets)) {
        return 'the secret has surrounding spaces; copy it exactly.';
      }
      if (
        input.secrets.some((s) => !s.startsWith('wbhsec_')) &&
        matchesWith(
          input.body,
          input.secrets.map((s) => `wbhsec_${s}`),
        )
      ) {
        return 'the secret is missing its "wbhsec_" prefix; Persona signs with the whole secret, prefix included.';
      }
      return (
        'either the wrong secret (each webhook has its own: re-copy it from Persona Dashboard → Webhooks), or a body ' +
        'changed after Persona signed it — most often re-serialised by a JSON body parser (express.json(), ' +
        'JSON.stringify(req.body)), which rewrites floats such as 40.172463903, spacing and escapes. Hash the raw ' +
        'bytes: express.raw(), req.rawBody, or this package’s adapters.'
      );
    }
  }
}
