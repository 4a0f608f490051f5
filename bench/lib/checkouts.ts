/**
 * Other checkouts of this project (say a git worktree of the commit before a change) whose service a
 * bench runs beside this one's, in one run: `bench:compare` (ingest) and `bench:burst` (memory).
 *
 *   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { buildDist } from './build.js';

/** A service to run: this checkout's (`bin` undefined) or another's. */
export interface Side {
  name: string;
  bin: string | undefined;
}

/** The service's entry point in a checkout. */
export const binOf = (root: string): string => join(root, 'packages/server/bin/persona-webhooks.js');

/** `git log -1` of a checkout, one short line. */
export const describeCommit = (dir: string): string =>
  spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' })
    .stdout.trim()
    .slice(0, 70);

/**
 * Resolves the checkouts named on the command line, builds this one and each of them (`tsc -b`), and
 * returns the sides to run: `this` first, then `other 1`, `other 2`… Exits with a message when one
 * is not a checkout of this project.
 */
export function prepareCheckouts(dirs: readonly string[]): { others: string[]; sides: Side[] } {
  const others = dirs.map((dir) => resolve(dir));
  for (const root of others) {
    if (!existsSync(binOf(root))) {
      console.error(`${binOf(root)} does not exist: is ${root} a checkout of this project?`);
      process.exit(2);
    }
  }
  if (!buildDist().runnable) throw new Error('this checkout did not build');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  for (const root of others) {
    const built = spawnSync(process.execPath, [tsc, '-b', 'packages/persona-webhooks', 'packages/server'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`${root} did not build:\n${built.stdout}`);
  }
  return {
    others,
    sides: [
      { name: 'this', bin: undefined },
      ...others.map((root, i) => ({ name: `other ${i + 1}`, bin: binOf(root) })),
    ],
  };
}

/** The sides in the order of one round: the order turns each round, so no side always runs first. */
export function roundOrder<T>(sides: readonly T[], round: number): T[] {
  const turn = (round - 1) % sides.length;
  return [...sides.slice(turn), ...sides.slice(0, turn)];
}
