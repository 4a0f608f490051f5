import { execFileSync } from 'node:child_process';

/** End-to-end tests start the real server from dist/, exactly as `npm start` does, so build it once first. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
