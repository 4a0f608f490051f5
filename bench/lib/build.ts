/**
 * Builds both packages' dist/ before the servers start: `persona-webhooks serve` runs the compiled
 * code, and a stale dist/ would bench yesterday's server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Outcome of the build: `ok` when tsc reported nothing; `errors` holds the first lines otherwise. */
export interface BuildResult {
  ok: boolean;
  /** True when the service's dist/cli/main.js exists, so it can run even if tsc complained elsewhere. */
  runnable: boolean;
  errors: string[];
}

/** Runs `tsc -b` over both packages (a no-op for what has not changed). */
export function buildDist(): BuildResult {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', 'packages/persona-webhooks', 'packages/server'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const errors = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((line) => line.trim() !== '');
  return {
    ok: result.status === 0,
    runnable: existsSync(`${ROOT}packages/server/dist/cli/main.js`),
    errors: errors.slice(0, 10),
  };
}
