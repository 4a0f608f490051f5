/**
 * Builds dist/ before the servers start: `bin/persona-webhooks.js` runs the compiled code, and a stale
 * dist/ would bench yesterday's server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Outcome of the build: `ok` when tsc reported nothing; `errors` holds the first lines otherwise. */
export interface BuildResult {
  ok: boolean;
  /** True when dist/cli/main.js exists, so the server can run even if tsc complained elsewhere. */
  runnable: boolean;
  errors: string[];
}

/** Runs `tsc -p tsconfig.build.json` in the project root. */
export function buildDist(): BuildResult {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const errors = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((line) => line.trim() !== '');
  return {
    ok: result.status === 0,
    runnable: existsSync(`${ROOT}dist/cli/main.js`),
    errors: errors.slice(0, 10),
  };
}
