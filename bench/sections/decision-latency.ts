/**
 * Section 5 — decision to application: the time from a Persona delivery to the customer's application
 * receiving its signed `kyc.decision_changed` webhook, while ingest runs on SQLite paced at a target rate
 * (the bench passes half the rate section 1 measured: the "at half its maximum rate"). A probe
 * sends a few hundred distinct signed `inquiry.approved` events at a steady rate during the load; a local
 * receiver (the application) records when each probe user's decision arrives. Every load event is an
 * approval of a new user too, so the application also receives the load's messages: the probe's wait
 * includes that queue, as it would in production.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateEndpointSecret } from '../../packages/persona-webhooks/src/outbox/standard-webhooks.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { startServer } from '../lib/child-server.js';
import { runLoad } from '../lib/load.js';
import { prepareServer, WEBHOOK_PATH } from '../lib/our-server.js';
import { DeliveryPool, deliver } from '../lib/payloads.js';
import type { BenchSettings } from '../lib/settings.js';
import { sleep } from '../lib/stats.js';
import { findWrk, runWrk, writeDeliveryFile } from '../lib/wrk.js';
import type { BaselineServers } from '../servers/compile-servers.js';

/** What the probe measured. */
export interface DecisionLatencyResult {
  probes: number;
  /** Probe decisions the application received before the wait ran out. */
  arrived: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The rate the load was paced at; undefined when it ran at full speed. */
  targetRequestsPerSec: number | undefined;
  /** The load's achieved rate, to read the latency against. */
  loadRequestsPerSec: number;
  /** Every message the application received (load and probe). */
  messagesReceived: number;
  /** Those received while the load ran: against `loadSeconds`, whether the outbox keeps up. */
  messagesDuringLoad: number;
  /** How long the load ran, in seconds. */
  loadSeconds: number;
  /** When the wait ended: events not yet processed, and messages not yet delivered (from `/metrics`). */
  inboxPendingAtEnd: number;
  outboundPendingAtEnd: number;
}

const PROBE_PREFIX = 'latency-probe-';

/** The value at quantile `q` (0–1) of sorted `values`, nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Runs the probe against a fresh SQLite server under ingest paced at `targetRate` (full speed without it).
 *
 * @example
 * const latency = await runDecisionLatency(settings, baselines, sqliteIngestRate / 2);
 */
export async function runDecisionLatency(
  settings: BenchSettings,
  baselines: BaselineServers,
  /** Requests per second to pace the load at; undefined for full speed. */
  targetRate: number | undefined,
  probes = 300,
): Promise<DecisionLatencyResult> {
  // Sizes the load's deliveries: paced, it sends no more than the target; full speed, a guess above it.
  const expectedRate = targetRate ?? 6000;
  const arrivals = new Map<string, number>();
  let messagesReceived = 0;
  const app = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const atMs = performance.now();
      messagesReceived++;
      try {
        const referenceId = (
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { referenceId: string } }
        ).data.referenceId;
        if (referenceId.startsWith(PROBE_PREFIX) && !arrivals.has(referenceId))
          arrivals.set(referenceId, atMs);
      } catch {
        // Not ours to judge: answer 2xx anyway so the outbox moves on.
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/kyc`;

  const prepared = prepareServer('sqlite', baselines);
  prepared.spec.env['PERSONA_WEBHOOKS_APP_ENDPOINTS'] = JSON.stringify([
    { url: appUrl, secret: generateEndpointSecret() },
  ]);
  const server = await startServer(prepared.spec);
  const sentAt = new Map<string, number>();
  try {
    const seconds = settings.seconds;
    const probeRun = (async () => {
      const intervalMs = (seconds * 1000) / probes;
      const started = performance.now();
      const posts: Promise<unknown>[] = [];
      for (let i = 0; i < probes; i++) {
        const due = started + i * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const referenceId = `${PROBE_PREFIX}${i}`;
        const { body } = buildEvent({ name: 'inquiry.approved', referenceId });
        const delivery = deliver(Buffer.from(body));
        sentAt.set(referenceId, performance.now());
        posts.push(
          fetch(`${server.url}${WEBHOOK_PATH}`, {
            method: 'POST',
            headers: delivery.headers,
            body,
          })
            .then((response) => response.arrayBuffer())
            .catch(() => sentAt.delete(referenceId)),
        );
      }
      await Promise.all(posts);
    })();

    let loadRequestsPerSec: number;
    const loadStartedAt = performance.now();
    const receivedBeforeLoad = messagesReceived;
    if (findWrk()) {
      const file = await writeDeliveryFile(
        Math.ceil(Math.max(expectedRate * 1.4, 1000) * seconds),
        WEBHOOK_PATH,
      );
      try {
        loadRequestsPerSec = (
          await runWrk({
            url: server.url,
            file,
            offset: 0,
            connections: settings.connections,
            seconds,
            ...(targetRate === undefined ? {} : { rateLimit: targetRate }),
          })
        ).requestsPerSec;
      } finally {
        file.remove();
      }
    } else {
      const pool = new DeliveryPool(Math.ceil(Math.max(expectedRate * 1.5, 1000) * seconds));
      loadRequestsPerSec = (
        await runLoad({
          url: server.url,
          path: WEBHOOK_PATH,
          pool,
          connections: settings.connections,
          seconds,
          ...(targetRate === undefined ? {} : { rate: targetRate }),
        })
      ).requestsPerSec;
    }
    const messagesDuringLoad = messagesReceived - receivedBeforeLoad;
    const loadSeconds = (performance.now() - loadStartedAt) / 1000;
    await probeRun;

    const deadline = Date.now() + settings.drainCapSeconds * 1000;
    while (Date.now() < deadline && [...sentAt.keys()].some((id) => !arrivals.has(id))) await sleep(50);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const gauge = (name: string) =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
    const latencies = [...sentAt]
      .flatMap(([id, at]) => (arrivals.has(id) ? [arrivals.get(id)! - at] : []))
      .sort((a, b) => a - b);
    return {
      probes: sentAt.size,
      arrived: latencies.length,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      targetRequestsPerSec: targetRate,
      loadRequestsPerSec,
      messagesReceived,
      messagesDuringLoad,
      loadSeconds,
      inboxPendingAtEnd: gauge('persona_webhook_inbox_pending'),
      outboundPendingAtEnd: gauge('persona_webhook_outbound_pending'),
    };
  } finally {
    await server.stop();
    await prepared.cleanup();
    app.closeAllConnections();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  }
}
