import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One OpenSSL-computed vector from `vectors.json`, with its body loaded as exact bytes. */
export interface Vector {
  name: string;
  secret: string;
  /** `t` exactly as signed (may have leading zeros). */
  timestamp: string;
  body: Buffer;
  expected: string;
}

interface RawVector {
  name: string;
  secret: string;
  timestamp: string;
  body?: string;
  bodyFile?: string;
  expected: string;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const raw = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as {
  vectors: RawVector[];
};

/** The vectors, bodies as bytes exactly as OpenSSL hashed them. */
export const VECTORS: readonly Vector[] = raw.vectors.map((vector) => ({
  name: vector.name,
  secret: vector.secret,
  timestamp: vector.timestamp,
  expected: vector.expected,
  body:
    vector.bodyFile === undefined
      ? Buffer.from(vector.body ?? '', 'utf8')
      : readFileSync(root + vector.bodyFile),
}));

/** Persona's documented sample payload, byte-for-byte. */
export const FIXTURE_BODY = readFileSync(root + 'test/fixtures/inquiry.approved.docs-sample.json');
