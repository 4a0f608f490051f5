import { execFileSync } from 'node:child_process';

/**
 * End-to-end tests start the real server from the packages' dist/, exactly as `npm start` does, so
 * build them first (`tsc -b` rebuilds only what changed).
 * `SKIP_BUILD=1` skips it when running unit tests alone while another folder is half-written.
 */
export default function setup(): void {
  if (process.env['SKIP_BUILD'] === '1') return;
  execFileSync('npx', ['tsc', '-b', 'packages/persona-webhooks', 'packages/server'], { stdio: 'inherit' });
}
