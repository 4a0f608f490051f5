/**
 * Benchmark: `verifySignature` against a bare `createHmac` loop over Persona's sample payload, and the Web
 * Crypto verifier. Rounds are interleaved so clock-speed drift hits both sides alike; medians are reported.
 * A script that prints figures, never a test that can fail on a slow machine.
 *
 * Run: `npx tsx bench/signature.ts [seconds]`
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sign, verifySignature } from '../packages/persona-webhooks/src/signature/node-crypto.js';
import { verifySignatureWeb } from '../packages/persona-webhooks/src/signature/web-crypto.js';

/**
 * Throughput figures in verifications per second (medians over rounds). `ratio` is the median of each
 * round's ours / bare ratio (target ≥ 0.8): pairing the two within a round cancels machine-load drift.
 */
export interface SignatureBenchResult {
  oursPerSec: number;
  bareHmacPerSec: number;
  ratio: number;
  webPerSec: number;
}

const ROUNDS = 15;
const BATCH = 32;
const SECRET = 'wbhsec_bench_0123456789abcdef';

/**
 * Measures verification throughput over the fixture bytes for about `seconds` in total (default 3).
 *
 * @example
 * const { ratio } = await runSignatureBench({ seconds: 1 });
 */
export async function runSignatureBench(opts: { seconds?: number } = {}): Promise<SignatureBenchResult> {
  const body = readFileSync(
    fileURLToPath(new URL('../test/fixtures/inquiry.approved.docs-sample.json', import.meta.url)),
  );
  const timestamp = Math.floor(Date.now() / 1000);
  // Copied into a flat string, as Node's HTTP parser delivers headers (a template literal is a rope).
  const header = Buffer.from(sign({ secret: SECRET, body, timestamp }), 'latin1').toString('latin1');
  const expected = header.slice(header.indexOf('v1=') + 3);
  const t = String(timestamp);
  const sliceMs = ((opts.seconds ?? 3) * 1000) / (ROUNDS * 3);

  const ours = () => {
    if (!verifySignature({ body, header, secrets: SECRET }).ok) throw new Error('bench: verification failed');
  };
  const bare = () => {
    if (
      createHmac('sha256', SECRET)
        .update(t + '.')
        .update(body)
        .digest('hex') !== expected
    ) {
      throw new Error('bench: bare HMAC mismatch');
    }
  };
  const web = async () => {
    if (!(await verifySignatureWeb({ body, header, secrets: SECRET })).ok)
      throw new Error('bench: web failed');
  };

  // Warm-up so JIT and the Web key cache do not count against the first round.
  measureSync(ours, 100);
  measureSync(bare, 100);
  await measureAsync(web, 100);

  const samples = { ours: [] as number[], bare: [] as number[], web: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const [oursRate, bareRate] = measurePair(ours, bare, sliceMs * 2);
    samples.ours.push(oursRate);
    samples.bare.push(bareRate);
    samples.web.push(await measureAsync(web, sliceMs));
  }
  return {
    oursPerSec: median(samples.ours),
    bareHmacPerSec: median(samples.bare),
    ratio: median(samples.ours.map((ours, round) => ours / samples.bare[round]!)),
    webPerSec: median(samples.web),
  };
}

/** Calls per second of `fn` over roughly `ms` milliseconds, checking the clock every 64 calls. */
function measureSync(fn: () => void, ms: number): number {
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < BATCH; i++) fn();
    calls += BATCH;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (calls / elapsed) * 1000;
}

/**
 * Calls per second of `a` and `b`, alternating batches of {@link BATCH} calls for about `ms` in total, so
 * both see the same machine load (other processes, CPU frequency) within a fraction of a millisecond.
 */
function measurePair(a: () => void, b: () => void, ms: number): [number, number] {
  let timeA = 0;
  let timeB = 0;
  let calls = 0;
  while (timeA + timeB < ms) {
    let start = performance.now();
    for (let i = 0; i < BATCH; i++) a();
    timeA += performance.now() - start;
    start = performance.now();
    for (let i = 0; i < BATCH; i++) b();
    timeB += performance.now() - start;
    calls += BATCH;
  }
  return [(calls / timeA) * 1000, (calls / timeB) * 1000];
}

async function measureAsync(fn: () => Promise<void>, ms: number): Promise<number> {
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < BATCH; i++) await fn();
    calls += BATCH;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return (calls / elapsed) * 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seconds = Number(process.argv[2] ?? 3);
  const result = await runSignatureBench({ seconds });
  const format = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);
  console.log('Persona-Signature verification, fixture body (ops/s, median of interleaved rounds)');
  console.log(`  verifySignature (node:crypto)   ${format(result.oursPerSec)}`);
  console.log(`  bare createHmac().digest('hex') ${format(result.bareHmacPerSec)}`);
  console.log(`  verifySignatureWeb (subtle)     ${format(result.webPerSec)}`);
  console.log(`  ratio ours / bare               ${result.ratio.toFixed(2).padStart(12)}  (target ≥ 0.80)`);
}
