/**
 * wrk (Debian's `wrk` package) as the ingest load generator. It runs in its own process, written in C, so
 * it can push a bare `node:http` server to its real ceiling; autocannon in the bench's own Node process
 * caps it well below (the performance issue measured 9,018 req/s with autocannon against 14,790 with wrk),
 * which flatters every ratio. Deliveries are signed up front into a file that `replay-deliveries.lua`
 * streams, one distinct event per request; a run may own only a byte range of the file (several wrk
 * processes at once, see `wrk-parallel.ts`) and may be paced at a rate (`rateLimit`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load.js';
import { deliver, nextEventBody } from './payloads.js';

const SCRIPT = fileURLToPath(new URL('./replay-deliveries.lua', import.meta.url));

/** The path of `wrk` when it is installed and runs, else null (the bench then falls back to autocannon). */
export function findWrk(): string | null {
  if (process.env['BENCH_LOAD'] === 'autocannon') return null;
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  // wrk --version prints its banner and exits 1; only a missing binary is an error.
  return probe.error ? null : 'wrk';
}

/** A byte range of a delivery file: `start` inclusive, `end` exclusive, both on record boundaries. */
export interface ByteRange {
  start: number;
  end: number;
}

/** A file of pre-signed deliveries for `replay-deliveries.lua`; `remove()` deletes it. */
export interface DeliveryFile {
  path: string;
  count: number;
  /** The file cut into `parts` ranges of (nearly) equal record counts, for wrk processes run at once. */
  parts(parts: number): ByteRange[];
  remove(): void;
}

/**
 * Signs `count` distinct deliveries now and writes them as raw HTTP/1.1 requests to a temporary file.
 * The signature timestamp is now, so the file must be used within Persona's 300 s tolerance.
 */
export async function writeDeliveryFile(count: number, path: string): Promise<DeliveryFile> {
  // In RAM when the machine has /dev/shm: hundreds of MB written to a disk would still be flushing while
  // the servers under test fsync, and slow them down unevenly.
  const dir = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const file = join(dir, `persona-webhooks-bench-${process.pid}-${Date.now()}.wrk`);
  const out = createWriteStream(file);
  const now = Math.floor(Date.now() / 1000);
  // Byte offset of every record, and of the end: where each part of the file starts.
  const offsets = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) {
    const { body, headers } = deliver(nextEventBody(), now);
    const head =
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n` +
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      '\r\n';
    const request = Buffer.concat([Buffer.from(head), body]);
    const record = Buffer.concat([Buffer.from(`${request.length}\n`), request]);
    offsets[i + 1] = offsets[i]! + record.length;
    if (!out.write(record)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  const at = (part: number, parts: number) => offsets[Math.floor((part * count) / parts)]!;
  return {
    path: file,
    count,
    parts: (parts) =>
      Array.from({ length: parts }, (_, i) => ({ start: at(i, parts), end: at(i + 1, parts) })),
    remove: () => rmSync(file, { force: true }),
  };
}

/** What one wrk run measured, plus where the next run should start in the file. */
export interface WrkResult extends LoadResult {
  /** Byte offset after the last delivery sent: the next run starts there, so no event is sent twice. */
  nextOffset: number;
  /** Times the run went past the end of the file and started sending its deliveries again. */
  wraps: number;
}

/** One wrk run's options; `range` defaults to the whole file; without `rateLimit`, full speed. */
export interface WrkOptions {
  url: string;
  file: DeliveryFile;
  /** Byte offset of the first delivery to send (a record boundary inside `range`). */
  offset: number;
  connections: number;
  seconds: number;
  /** The part of the file this run owns: it wraps to `range.start` at `range.end`. */
  range?: ByteRange;
  /** Requests per second over all connections: the script's delay() spaces requests 1000 / rate ms apart. */
  rateLimit?: number;
}

/**
 * One wrk run: 1 thread (the machine has 2 cores; the other is the server's), `connections` connections.
 * A paced run reaches `rateLimit` while the server answers in time for some connection to be free.
 *
 * @example
 * const run = await runWrk({ url, file, offset: 0, connections: 50, seconds: 10 });
 */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const startedAtMs = Date.now();
  const args = [
    '-t1',
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    SCRIPT,
    options.url,
    '--',
    options.file.path,
    String(options.offset),
    String(options.range?.start ?? 0),
    String(options.range?.end ?? Number.MAX_SAFE_INTEGER),
    String(options.rateLimit ?? 0),
    String(options.connections),
  ];
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}: ${err.trim() || out.trim()}`)),
    );
  });
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no summary: ${stdout.trim()}`);
  const summary = JSON.parse(line) as Record<string, number>;
  const get = (key: string) => summary[key] ?? 0;
  const durationSec = get('durationUs') / 1e6;
  return {
    requestsPerSec: get('requests') / durationSec,
    p50Ms: get('p50Us') / 1000,
    p99Ms: get('p99Us') / 1000,
    non2xx: get('statusErrors'),
    errors: get('connectErrors') + get('readErrors') + get('writeErrors') + get('timeouts'),
    responses: get('requests'),
    durationSec,
    startedAtMs,
    nextOffset: get('offset'),
    wraps: get('wraps'),
  };
}
