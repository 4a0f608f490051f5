/**
 * `npm run bench:burst`: section 3 of `npm run bench` alone — the burst at ours (SQLite, main
 * thread) with its peak RSS — for the memory figure, which moves by tens of MB between runs here and so
 * needs several runs of its own. Builds `dist/` first. `BENCH_BURST_EVENTS` events, default 100,000.
 */
import { buildDist } from './lib/build.js';
import { readSettings } from './lib/settings.js';
import { int, mb } from './lib/table.js';
import { runBurst } from './sections/burst.js';
import { compileBaselineServers } from './servers/compile-servers.js';

const settings = readSettings();
const events = settings.burstEvents;
if (!buildDist().runnable) throw new Error('dist/ did not build');
const result = await runBurst(
  events,
  settings.connections,
  settings.burstDrainCapSeconds,
  compileBaselineServers(),
);
console.log(
  `burst of ${int(events)} events: ${int(result.requestsPerSec)} req/s, backlog peak ${int(result.backlogPeak)}, peak RSS ${mb(result.peakRssBytes)} MB`,
);
