/**
 * `npm run bench:burst [-- <checkout>…]`: section 3 of `npm run bench` alone — the burst at ours (SQLite,
 * main thread) with its peak RSS — for the memory figure, which moves by tens of MB between runs here and
 * so needs several runs of its own. Given other checkouts (built worktrees, see `lib/checkouts.ts`), it
 * runs their service too, rounds interleaved as `bench:compare` does, and prints each side's rounds, its
 * median and this one's ratio to it. `BENCH_BURST_EVENTS` events (default 100,000), `BENCH_ROUNDS`
 * rounds (default 1 alone, 3 beside other checkouts).
 */
import { describeCommit, prepareCheckouts, roundOrder } from './lib/checkouts.js';
import { readSettings } from './lib/settings.js';
import { median } from './lib/stats.js';
import { fixed, int, mb, table } from './lib/table.js';
import { type BurstResult, runBurst } from './sections/burst.js';
import { compileBaselineServers } from './servers/compile-servers.js';

const settings = readSettings();
const events = settings.burstEvents;
const { others, sides } = prepareCheckouts(process.argv.slice(2));
const rounds = Math.round(Number(process.env['BENCH_ROUNDS'] ?? (others.length > 0 ? 3 : 1)));
const baselines = compileBaselineServers();
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

console.log(`persona-webhooks bench:burst — ${int(events)} events, ${rounds} round(s)`);
console.log(`  this:  ${describeCommit('.')}`);
for (const [i, root] of others.entries()) console.log(`  other ${i + 1}: ${describeCommit(root)} (${root})`);

const results = new Map<string, BurstResult[]>(sides.map((side) => [side.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const side of roundOrder(sides, round)) {
    progress(`round ${round}/${rounds}: ${side.name}`);
    const result = await runBurst(
      events,
      settings.connections,
      settings.burstDrainCapSeconds,
      baselines,
      'sqlite',
      side.bin,
    );
    results.get(side.name)?.push(result);
    progress(`  ${int(result.requestsPerSec)} req/s, peak RSS ${mb(result.peakRssBytes)} MB`);
  }
}

const rss = (name: string) => (results.get(name) ?? []).map((result) => result.peakRssBytes ?? Number.NaN);
const rates = (name: string) => (results.get(name) ?? []).map((result) => result.requestsPerSec);
console.log(
  table(
    ['side', 'req/s: rounds → median', 'peak RSS MB: rounds → median', 'RSS this / side'],
    sides.map((side) => [
      side.name,
      `${rates(side.name).map(int).join(' / ')} → ${int(median(rates(side.name)))}`,
      `${rss(side.name).map(mb).join(' / ')} → ${mb(median(rss(side.name)))}`,
      fixed(median(rss('this')) / median(rss(side.name))),
    ]),
  ),
);
