/**
 * `npm run bench:compare -- <checkout> [<checkout>…]`: the ingest section for this checkout's service and
 * other checkouts' (say a git worktree of the commit before a change), side by side in ONE run: rounds
 * interleaved this, other, this, other… for each store, so drift on a shared machine hits all alike.
 * Prints each round, the medians and each other's ratio to this, for req/s, the server's CPU per request and
 * its event loop's part of it. Every checkout is built first (`tsc -b`).
 *
 *   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)
 *   BENCH_ROUNDS=3 npm run bench:compare -- /tmp/before
 *
 * Knobs: BENCH_ROUNDS (default here 3), BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS,
 * BENCH_COMPARE_KINDS (default `sqlite,sqlitethread,postgres`). Needs wrk. A script that prints figures:
 * it never fails because a machine is slow.
 */
import { describeCommit, prepareCheckouts, roundOrder } from './lib/checkouts.js';
import type { ServerKind } from './lib/our-server.js';
import { WEBHOOK_PATH } from './lib/our-server.js';
import { postgresReachable } from './lib/postgres.js';
import { readSettings } from './lib/settings.js';
import { median } from './lib/stats.js';
import { systemInfo } from './lib/system-info.js';
import { fixed, int, table } from './lib/table.js';
import { findWrk, writeDeliveryFile } from './lib/wrk.js';
import { LABELS, measureOnce } from './sections/ingest.js';
import { compileBaselineServers } from './servers/compile-servers.js';

if (process.argv.length <= 2 || !findWrk()) {
  console.error(
    'usage: npm run bench:compare -- <checkout> [<checkout>…]   (needs wrk: apt-get install wrk)',
  );
  process.exit(2);
}
const settings = { ...readSettings(), rounds: Math.round(Number(process.env['BENCH_ROUNDS'] ?? 3)) };
const kinds = (process.env['BENCH_COMPARE_KINDS'] ?? 'sqlite,sqlitethread,postgres').split(
  ',',
) as ServerKind[];
const progress = (line: string) => process.stderr.write(`… ${line}\n`);

progress('building every checkout (tsc -b)');
const { others, sides } = prepareCheckouts(process.argv.slice(2));
const baselines = compileBaselineServers();
const pgUp = await postgresReachable();
const measured = kinds.filter((kind) => kind !== 'postgres' || pgUp);

const system = systemInfo();
console.log(`persona-webhooks bench:compare — ${system.date}, ${system.nproc} cores, node ${system.node}`);
console.log(`  this:  ${describeCommit('.')}`);
for (const [i, root] of others.entries()) console.log(`  other ${i + 1}: ${describeCommit(root)} (${root})`);
console.log(
  `  ${settings.rounds} rounds × (${settings.warmupSeconds} s warm-up + ${settings.seconds} s), ${settings.connections} connections, wrk${pgUp ? '' : '; PostgreSQL unreachable, skipped'}`,
);

const rates = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const eventLoop = new Map<string, number[]>();
for (let round = 1; round <= settings.rounds; round++) {
  const count = Math.ceil(6_000 * 1.4 * (settings.seconds + settings.warmupSeconds));
  progress(`round ${round}/${settings.rounds}: signing ${count} deliveries`);
  const file = await writeDeliveryFile(count, WEBHOOK_PATH);
  try {
    for (const kind of measured) {
      for (const side of roundOrder(sides, round)) {
        progress(`round ${round}/${settings.rounds}: ${kind}, ${side.name}`);
        const run = await measureOnce(kind, round, settings, baselines, 6_000, file, side.bin);
        const key = `${kind}:${side.name}`;
        rates.set(key, [...(rates.get(key) ?? []), run.requestsPerSec]);
        if (run.cpuMsPerThousand !== undefined) cpu.set(key, [...(cpu.get(key) ?? []), run.cpuMsPerThousand]);
        if (run.cpuSplit) eventLoop.set(key, [...(eventLoop.get(key) ?? []), run.cpuSplit.eventLoopUs]);
        progress(
          `  ${int(run.requestsPerSec)} req/s, ${fixed(run.cpuMsPerThousand, 0)} CPU ms per 1,000, backlog ${run.backlogAtEnd ?? '–'}`,
        );
      }
    }
  } finally {
    file.remove();
  }
}

/** One table: a row per store, each checkout's rounds and median, and this checkout's ratio to each other. */
function report(title: string, figures: Map<string, number[]>, format: (value: number) => string): void {
  const rounds = (kind: ServerKind, side: string) => figures.get(`${kind}:${side}`) ?? [];
  console.log(
    table(
      [
        title,
        ...sides.map((side) => `${side.name}: rounds → median`),
        ...others.map((_, i) => `this / other ${i + 1}`),
      ],
      measured.map((kind) => {
        const mine = median(rounds(kind, 'this'));
        return [
          LABELS[kind],
          ...sides.map(
            (side) =>
              `${rounds(kind, side.name).map(format).join(' / ')} → ${format(median(rounds(kind, side.name)))}`,
          ),
          ...others.map((_, i) => fixed(mine / median(rounds(kind, `other ${i + 1}`)))),
        ];
      }),
    ),
  );
}

report('ingest, req/s', rates, int);
console.log('');
// What each request cost the server's process (ingest and the worker processing it), all threads.
report('server CPU ms per 1,000 requests', cpu, (value) => fixed(value, 0));
console.log('');
// The part of it on the event loop's thread, which caps the rate of one instance.
report('event loop µs per request', eventLoop, (value) => fixed(value, 0));
