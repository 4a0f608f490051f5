/**
 * How fast the outbox alone delivers a backlog: N messages due on a SQLite file store, one app endpoint
 * (a receiver in a child process answering 204), the library's delivery worker with the service's HTTP
 * client. Prints messages per second and per CPU-second of this process (the store, the worker and the
 * HTTP client: undici `request`, or `--client fetch`; the receiver's CPU is not counted). The CPU figure is the one to compare when other work
 * shares the machine; section 5 of `npm run bench` shows the same work under full ingest.
 *
 *   node --import tsx bench/outbox-throughput.ts [--messages 5000] [--concurrency 128] [--per-endpoint 64]
 *     [--users 0 (0: one per message)] [--rounds 3] [--client request|fetch]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDeliveryWorker } from 'persona-webhooks';
import { createGuardedFetch } from '../packages/server/src/outbound/guarded-connect.js';
import { createSqliteFileStore } from '../packages/server/src/sqlite-file-store.js';
import { fillOutboxFile } from './lib/outbox-file.js';

const PAYLOAD = JSON.stringify({
  type: 'kyc.decision_changed',
  data: { referenceId: 'u', decision: 'approved' },
});

const RECEIVER = `const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));`;

/** Starts the receiver; resolves with its URL. */
async function startReceiver(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}/kyc`, child };
}

/** One round: fills a fresh store, drains it, returns messages per wall second and per CPU second. */
async function round(options: {
  messages: number;
  users: number;
  concurrency: number;
  perEndpoint: number;
  client: string;
}) {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-throughput-'));
  const receiver = await startReceiver();
  const guarded = createGuardedFetch({ policy: { allowPrivate: true }, servicePort: () => 0 });
  try {
    const file = join(dir, 'db.sqlite');
    await fillOutboxFile(file, { ep_a: receiver.url }, options.messages, (i) => ({
      endpointId: 'ep_a',
      referenceId: `u${options.users > 0 ? i % options.users : i}`,
      payload: PAYLOAD,
    }));
    const store = createSqliteFileStore(file);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const worker = startDeliveryWorker({
      store,
      concurrency: options.concurrency,
      perEndpointConcurrency: options.perEndpoint,
      ...(options.client === 'fetch' ? { fetch: guarded.fetch } : { transport: guarded.transport }),
    });
    const attempts = await worker.drain();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    await worker.stop();
    const stats = await store.deliveryStats();
    const finishBatches = (store.writeStats() as { finishBatches?: number }).finishBatches ?? null;
    await store.close();
    return {
      attempts,
      delivered: stats.delivered,
      finishBatches,
      perSecond: attempts / seconds,
      perCpuSecond: attempts / ((used.user + used.system) / 1e6),
    };
  } finally {
    await guarded.close();
    receiver.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '128' },
    'per-endpoint': { type: 'string' },
    users: { type: 'string', default: '0' },
    rounds: { type: 'string', default: '3' },
    client: { type: 'string', default: 'request' },
  },
});
const concurrency = Number(values.concurrency);
const options = {
  messages: Number(values.messages),
  users: Number(values.users),
  concurrency,
  perEndpoint: Number(values['per-endpoint'] ?? Math.max(1, Math.floor(concurrency / 2))),
  client: values.client,
};
for (let i = 0; i < Number(values.rounds); i++) {
  const r = await round(options);
  console.log(
    `${options.client}, concurrency ${options.concurrency}/${options.perEndpoint}: ${r.attempts} attempts (${r.delivered} delivered, outcomes in ${r.finishBatches ?? r.attempts} transactions), ${Math.round(r.perSecond)} msg/s, ${Math.round(r.perCpuSecond)} msg per CPU-second`,
  );
}
