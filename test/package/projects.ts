/**
 * Fresh projects the way users get the packages: `npm pack` both workspaces, then `npm install` the
 * tarballs into new temporary projects with install scripts ON (npm's default). Used by the package
 * tests' global setup; the paths reach the tests through environment variables.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The environment variables that carry the projects' folders to the tests. */
export const ENV = {
  libraryOnly: 'PW_PACKAGE_LIBRARY_ONLY',
  consumer: 'PW_PACKAGE_CONSUMER',
  service: 'PW_PACKAGE_SERVICE',
  /** Read by test/helpers/service-process.ts: the e2e tests then run the installed command. */
  bin: 'PERSONA_WEBHOOKS_BIN',
} as const;

export interface Tarballs {
  library: string;
  server: string;
}

/** Packs both workspaces (their dist/ must be built) into `destination`. */
export async function packWorkspaces(destination: string): Promise<Tarballs> {
  const { stdout } = await run(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      destination,
      '-w',
      'packages/persona-webhooks',
      '-w',
      'packages/server',
    ],
    { cwd: REPO_ROOT },
  );
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  const file = (name: string) => {
    const entry = packed.find((p) => p.name === name);
    if (!entry) throw new Error(`npm pack did not pack ${name}`);
    return join(destination, entry.filename);
  };
  return { library: file('persona-webhooks'), server: file('persona-webhooks-server') };
}

/** Creates an empty ESM project in `dir` and installs `specs` into it; returns npm's output. */
export async function installProject(dir: string, specs: readonly string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'fresh-project', private: true, type: 'module' }, null, 2)}\n`,
  );
  const { stdout, stderr } = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts', ...specs],
    {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
      // JOBS: node-gyp compiles better-sqlite3 on every core instead of one.
      env: { ...process.env, npm_config_ignore_scripts: 'false', JOBS: 'max' },
    },
  );
  return `${stdout}${stderr}`;
}

/** The packages npm installed in `dir` (every folder under node_modules, nested ones included). */
export async function installedPackages(dir: string): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: dir });
  return stdout
    .split('\n')
    .slice(1) // the project itself
    .filter((line) => line.trim() !== '');
}
