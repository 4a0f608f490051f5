/**
 * `npm run bench:profile -- <sqlite|sqlitethread|postgres|nostore> [seconds]`: CPU profiles of one of our
 * servers under the ingest section's load (wrk, 50 connections, distinct pre-signed events), one per
 * thread, summarised by self and inclusive time. The notes on missed targets in the README come from it.
 * Needs wrk (`apt-get install wrk`).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist } from './lib/build.js';
import { startServer } from './lib/child-server.js';
import { prepareServer, type ServerKind, WEBHOOK_PATH } from './lib/our-server.js';
import { summariseProfile } from './lib/profile-summary.js';
import { findWrk, runWrk, writeDeliveryFile } from './lib/wrk.js';
import { compileBaselineServers } from './servers/compile-servers.js';

const KINDS = ['sqlite', 'sqlitethread', 'postgres', 'nostore'] as const satisfies readonly ServerKind[];
const kind = (process.argv[2] ?? 'sqlite') as (typeof KINDS)[number];
const seconds = Number(process.argv[3] ?? 10);
if (!KINDS.includes(kind) || !(seconds > 0)) {
  console.error(`usage: npm run bench:profile -- <${KINDS.join('|')}> [seconds]`);
  process.exit(2);
}
if (!findWrk()) {
  console.error('bench:profile needs wrk: apt-get install wrk');
  process.exit(2);
}

if (!buildDist().runnable) throw new Error('dist/ did not build');
const file = await writeDeliveryFile(9_000 * (seconds + 2), WEBHOOK_PATH);
const dir = mkdtempSync(join(tmpdir(), 'persona-webhooks-profile-'));
const prepared = prepareServer(kind, compileBaselineServers());
// --cpu-prof writes one profile per thread when the process exits; the server stops on SIGTERM.
const spec = { ...prepared.spec, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...prepared.spec.args] };
const server = await startServer(spec);
let result: Awaited<ReturnType<typeof runWrk>>;
try {
  const warm = await runWrk({ url: server.url, file, offset: 0, connections: 50, seconds: 2 });
  result = await runWrk({ url: server.url, file, offset: warm.nextOffset, connections: 50, seconds });
} finally {
  await server.stop();
  await prepared.cleanup();
  file.remove();
}

console.log(
  `${kind}: ${Math.round(result.requestsPerSec)} req/s (under the profiler), p99 ${result.p99Ms.toFixed(1)} ms; profiles in ${dir}`,
);
for (const profile of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
  const summary = summariseProfile(join(dir, profile), 15);
  console.log(`\n${profile}: ${summary.busySeconds.toFixed(2)} s busy`);
  console.log('  self time');
  for (const spot of summary.self)
    console.log(`    ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.name}`);
  console.log('  inclusive time');
  for (const spot of summary.inclusive)
    console.log(`    ${(spot.share * 100).toFixed(1).padStart(5)}%  ${spot.name}`);
}
