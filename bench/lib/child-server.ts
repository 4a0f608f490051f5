/**
 * A server under test in its own process, so its CPU and memory are its own and the load generator never
 * shares its event loop. Peak RSS is read from the kernel (`VmHWM`), which counts every allocation the
 * process ever made, native ones (SQLite, TLS, buffers) included.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { sleep } from './stats.js';

/** How to start one server: `node <args>` with these extra environment variables. */
export interface ServerSpec {
  label: string;
  args: readonly string[];
  env: Record<string, string>;
  /** Polled until it answers 200; any answer counts when `anyStatus` is set (servers without a health route). */
  readyPath: string;
  anyStatus?: boolean;
}

/** A started server; `stop()` is idempotent and returns the process's peak RSS in bytes. */
export interface RunningServer {
  url: string;
  pid: number;
  peakRssBytes(): number | undefined;
  stop(): Promise<number | undefined>;
}

const READY_TIMEOUT_MS = 30_000;

/** A port free right now (the kernel picks it); a tiny race with other processes is acceptable for a bench. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Spawns the server on a free port and waits until it answers.
 *
 * @example
 * const server = await startServer({ label: 'bare', args: ['bare.mjs'], env: {}, readyPath: '/', anyStatus: true });
 * const peakRss = await server.stop();
 */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...spec.args], {
    env: { ...process.env, ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  // Only the tail is kept: it explains a crash without letting a chatty server grow the bench's memory.
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}${spec.readyPath}`, spec, stderr);
  const pid = child.pid!;
  let stopped: Promise<number | undefined> | undefined;
  return {
    url,
    pid,
    peakRssBytes: () => peakRss(pid),
    stop: () => {
      stopped ??= stopChild(child);
      return stopped;
    },
  };
}

async function waitReady(child: ChildProcess, readyUrl: string, spec: ServerSpec, stderr: string[]) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${spec.label} exited with ${child.exitCode} before listening:\n${stderr.join('')}`);
    }
    try {
      const response = await fetch(readyUrl);
      await response.arrayBuffer();
      if (spec.anyStatus || response.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${spec.label} did not become ready within ${READY_TIMEOUT_MS} ms:\n${stderr.join('')}`);
}

/** `VmHWM` (peak resident set) of a live process, in bytes; undefined once it is gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the peak RSS, then asks the process to stop gracefully, and kills it if it will not. */
async function stopChild(child: ChildProcess): Promise<number | undefined> {
  const peak = child.pid === undefined ? undefined : peakRss(child.pid);
  if (child.exitCode !== null) return peak;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
  return peak;
}
