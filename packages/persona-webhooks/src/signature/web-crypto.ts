/**
 * Persona webhook signatures with Web Crypto (`globalThis.crypto.subtle`) only, for Workers, Deno, Bun and
 * Edge runtimes. Neither this file nor anything it imports uses `node:`.
 */
import { NO_MATCHING_SIGNATURE } from './failures.js';
import { KeyCache } from './key-cache.js';
import { checkSignOptions } from './signature-options.js';
import type { SignOptions, VerifyOptions, VerifyResult } from './types.js';
import { matched, planVerification } from './verification-plan.js';

const encoder = new TextEncoder();

/** Imported keys by secret; a failed import is forgotten so the next call retries it. */
const keys = new KeyCache<Promise<CryptoKey>>((secret) => {
  const key = subtle().importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  key.catch(() => keys.delete(secret));
  return key;
});

/**
 * Signs a body as Persona does and resolves to the `Persona-Signature` header value `t=…,v1=…`.
 * Throws `TypeError` on an empty secret, a body that is not bytes or a string, or a bad timestamp.
 *
 * @example
 * const header = await signWeb({ secret: 'wbhsec_…', body: rawBody, timestamp: 1_700_000_000 });
 */
export async function signWeb(options: SignOptions): Promise<string> {
  const t = checkSignOptions(options);
  const key = await keys.get(options.secret);
  const mac = await subtle().sign('HMAC', key, signedBytes(t, bodyBytes(options.body)));
  return `t=${t},v1=${toHex(new Uint8Array(mac))}`;
}

/**
 * `verifySignature` for Web runtimes; same checks, same results. Rejects only on programmer misuse
 * (`TypeError`), never on header or body content.
 *
 * @example
 * // Next.js App Router / Hono / Bun / Deno / Cloudflare Workers
 * const body = new Uint8Array(await request.arrayBuffer());
 * const result = await verifySignatureWeb({
 *   body,
 *   header: request.headers.get('persona-signature'),
 *   secrets: [env.PERSONA_WEBHOOK_SECRET],
 * });
 * if (!result.ok) return new Response(result.message, { status: 401 });
 */
export async function verifySignatureWeb(options: VerifyOptions): Promise<VerifyResult> {
  const plan = planVerification(options);
  if (!('candidates' in plan)) return plan;
  const body = bodyBytes(options.body);
  let data: Uint8Array<ArrayBuffer> | undefined;
  let dataFor: string | undefined;
  for (const candidate of plan.candidates) {
    // Candidates come grouped by set, so each set's message is built once however many secrets there are.
    if (dataFor !== candidate.set.rawTimestamp) {
      data = signedBytes(candidate.set.rawTimestamp, body);
      dataFor = candidate.set.rawTimestamp;
    }
    const key = await keys.get(candidate.secret);
    for (const signature of candidate.set.signatures) {
      // verify() compares in constant time inside the crypto implementation.
      if (await subtle().verify('HMAC', key, hexToBytes(signature), data!)) return matched(candidate);
    }
  }
  return NO_MATCHING_SIGNATURE;
}

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api)
    throw new TypeError('persona-webhooks: globalThis.crypto.subtle is not available in this runtime.');
  return api;
}

function bodyBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}

/** `t.` followed by the body: Web Crypto cannot stream, so the two are copied into one buffer. */
function signedBytes(rawTimestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(rawTimestamp + '.');
  const data = new Uint8Array(prefix.length + body.length);
  data.set(prefix, 0);
  data.set(body, prefix.length);
  return data;
}

/** Decodes the 64 lower-case hex characters the parser guarantees. */
function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
