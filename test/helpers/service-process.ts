/**
 * Runs the real service as a child process, started the way the README says (`persona-webhooks serve`
 * from dist/, which is what `npm start` runs after building).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * The command under test: the workspace's own, or — in the package run (`vitest.package.config.ts`) —
 * the one installed from the packed tarballs, so the same e2e tests prove what users install.
 */
export const BIN =
  process.env['PERSONA_WEBHOOKS_BIN'] ??
  fileURLToPath(new URL('../../packages/server/bin/persona-webhooks.js', import.meta.url));
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM (graceful) and wait for exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `persona-webhooks serve` with PORT=0 and waits for its "listening" log line. */
export async function startServiceProcess(
  env: Record<string, string>,
  args: string[] = [],
  options: { cwd?: string } = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`service did not start in time:\n${stdout}\n${stderr}`)),
      20_000,
    );
    const check = () => {
      for (const line of stdout.split('\n')) {
        if (!line.includes('persona-webhooks listening')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
        return;
      }
    };
    child.stdout?.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });

  return {
    url,
    child,
    exited,
    output: () => ({ stdout, stderr }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Parses the service's JSON log lines. */
export function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Polls `check` until it returns a truthy value or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** GET/POST an admin endpoint with the test token. */
export async function admin(url: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
