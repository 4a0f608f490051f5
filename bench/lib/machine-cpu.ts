/**
 * Where the machine's CPU went while a load ran: our server's event loop (its main thread), its other
 * threads (the store thread, libuv's pool with the WAL syncs), PostgreSQL's processes, the load generator
 * (wrk, a child of this process) and what stayed idle. A throughput target is only reachable if the work
 * fits: this is the accounting that says which of them is full (Linux `/proc`; off Linux there is none).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

// Linux's USER_HZ: /proc counts CPU time in 1/100 s everywhere Node runs on Linux.
const MS_PER_TICK = 10;

/** Cumulative CPU times, in ms, at one moment. */
export interface CpuSnapshot {
  atMs: number;
  eventLoopMs: number;
  otherThreadsMs: number;
  postgresMs: number;
  /** This process's reaped children (wrk exits before the closing snapshot, so it is counted here). */
  loadGeneratorMs: number;
  /** Idle and I/O wait over all cores. */
  idleMs: number;
}

/** The CPU a window cost per answered request, in µs, and the share of all cores that stayed idle. */
export interface CpuSplit {
  eventLoopUs: number;
  otherThreadsUs: number;
  postgresUs: number;
  loadGeneratorUs: number;
  idleShare: number;
}

/** Reads the counters now; undefined when `/proc` cannot be read (not Linux) or a server is gone. */
export function snapshotCpu(serverPids: readonly number[]): CpuSnapshot | undefined {
  try {
    let eventLoopMs = 0;
    let otherThreadsMs = 0;
    for (const pid of serverPids) {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const time = statFields(`/proc/${pid}/task/${tid}/stat`);
        if (!time) continue; // the thread ended between the listing and the read
        if (Number(tid) === pid) eventLoopMs += time.ownMs;
        else otherThreadsMs += time.ownMs;
      }
    }
    return {
      atMs: performance.now(),
      eventLoopMs,
      otherThreadsMs,
      postgresMs: postgresCpuMs(),
      loadGeneratorMs: statFields('/proc/self/stat')!.childrenMs,
      idleMs: machineIdleMs(),
    };
  } catch {
    return undefined;
  }
}

/**
 * What happened between two snapshots, per answered request.
 *
 * @example
 * const before = snapshotCpu([server.pid]);
 * const run = await runWrk(options);
 * const split = cpuBetween(before, snapshotCpu([server.pid]), run.responses);
 */
export function cpuBetween(
  before: CpuSnapshot | undefined,
  after: CpuSnapshot | undefined,
  answered: number,
): CpuSplit | undefined {
  if (!before || !after || answered <= 0) return undefined;
  const perRequestUs = (pick: (snapshot: CpuSnapshot) => number) =>
    ((pick(after) - pick(before)) * 1000) / answered;
  const coreMs = (after.atMs - before.atMs) * availableParallelism();
  return {
    eventLoopUs: perRequestUs((s) => s.eventLoopMs),
    otherThreadsUs: perRequestUs((s) => s.otherThreadsMs),
    postgresUs: perRequestUs((s) => s.postgresMs),
    loadGeneratorUs: perRequestUs((s) => s.loadGeneratorMs),
    idleShare: coreMs > 0 ? (after.idleMs - before.idleMs) / coreMs : Number.NaN,
  };
}

/** utime + stime, and cutime + cstime (reaped children), of one `/proc/…/stat` file. */
function statFields(path: string): { ownMs: number; childrenMs: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces, inside parentheses): utime is the 12th.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return {
    ownMs: (fields[11]! + fields[12]!) * MS_PER_TICK,
    childrenMs: (fields[13]! + fields[14]!) * MS_PER_TICK,
  };
}

/** Every process named `postgres` (the postmaster, its backends and background workers). */
function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8');
    } catch {
      continue; // exited since the listing
    }
    if (comm !== 'postgres\n') continue;
    total += statFields(`/proc/${entry}/stat`)?.ownMs ?? 0;
  }
  return total;
}

/** idle + iowait of the `cpu` line of `/proc/stat` (all cores). */
function machineIdleMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  return (Number(fields[4]) + Number(fields[5])) * MS_PER_TICK;
}
