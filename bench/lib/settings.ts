/** Bench knobs from the environment, read once; defaults keep `npm run bench` under ~12 minutes on 2 cores. */

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

/** The bench's settings, frozen. */
export interface BenchSettings {
  /** Measured seconds per ingest run (`BENCH_SECONDS`, default 10). */
  seconds: number;
  /** Warm-up seconds before each ingest run (`BENCH_WARMUP_SECONDS`, default 2). */
  warmupSeconds: number;
  /** Interleaved rounds a,b,c,d (`BENCH_ROUNDS`, default 2); medians are reported. */
  rounds: number;
  /** Concurrent connections (`BENCH_CONNECTIONS`, default 50). */
  connections: number;
  /** Events for the processing section and the store-thread burst (`BENCH_EVENTS`, default 20,000). */
  events: number;
  /** Events for the main burst (`BENCH_BURST_EVENTS`, default 100,000: the burst). */
  burstEvents: number;
  /** Longest wait for a drain, in the processing and burst sections (`BENCH_DRAIN_CAP_SECONDS`, default 30). */
  drainCapSeconds: number;
  /** The drain cap for `burstEvents`: `drainCapSeconds`, or 1 s per 2,000 events when longer (drain runs ~3,000 ev/s). */
  burstDrainCapSeconds: number;
  /** Seconds for the signature micro-bench (`BENCH_SIGNATURE_SECONDS`, default 3). */
  signatureSeconds: number;
}

/** Reads the `BENCH_*` variables. */
export function readSettings(): Readonly<BenchSettings> {
  const burstEvents = Math.round(numberFrom('BENCH_BURST_EVENTS', 100_000));
  const drainCapSeconds = numberFrom('BENCH_DRAIN_CAP_SECONDS', 30);
  return Object.freeze({
    seconds: numberFrom('BENCH_SECONDS', 10),
    warmupSeconds: numberFrom('BENCH_WARMUP_SECONDS', 2),
    rounds: Math.round(numberFrom('BENCH_ROUNDS', 2)),
    connections: Math.round(numberFrom('BENCH_CONNECTIONS', 50)),
    events: Math.round(numberFrom('BENCH_EVENTS', 20_000)),
    burstEvents,
    drainCapSeconds,
    burstDrainCapSeconds: Math.max(drainCapSeconds, Math.ceil(burstEvents / 2000)),
    signatureSeconds: numberFrom('BENCH_SIGNATURE_SECONDS', 3),
  });
}
