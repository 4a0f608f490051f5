/**
 * A customer's application receiving `kyc.decision_changed` webhooks, verified with the official
 * `standardwebhooks` package as a real one would. It can go down and come back on the same port, and
 * records every verified message (and how many it refused) for the test to check.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { listen } from './listen.js';

export interface AppMessage {
  atMs: number;
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: string;
  data: { referenceId: string; decision: string; previousDecision: string | null; [key: string]: unknown };
}

export interface AppReceiver {
  /** `http://127.0.0.1:<port>/kyc`. */
  url: string;
  port: number;
  /** Every verified message, in arrival order (duplicates included: tests count them). */
  messages: AppMessage[];
  /** Requests whose signature did not verify. */
  refused: number;
  /** How long the app takes to answer a verified message (a slow application); default 0. */
  delayMs: number;
  /** Stops listening (the app is down: connections are refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
}

/** Starts the app on `port` (0: any free one), verifying with `secret`. */
export async function startAppReceiver(secret: string, port = 0): Promise<AppReceiver> {
  const webhook = new Webhook(secret);
  let close: (() => Promise<void>) | null = null;
  const receiver: AppReceiver = {
    url: '',
    port,
    messages: [],
    refused: 0,
    delayMs: 0,
    async down() {
      await close?.();
      close = null;
    },
    async up() {
      const server = createServer((req, res) => {
        const atMs = Date.now();
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          try {
            const event = webhook.verify(body, req.headers as Record<string, string>) as {
              data: AppMessage['data'];
            };
            const message = {
              atMs,
              webhookId: String(req.headers['webhook-id']),
              headers: req.headers,
              body,
              data: event.data,
            };
            setTimeout(() => {
              receiver.messages.push(message);
              res.writeHead(204).end();
            }, receiver.delayMs);
          } catch {
            receiver.refused++;
            res.writeHead(400).end();
          }
        });
      });
      const listening = await listen(server, receiver.port);
      close = listening.close;
      receiver.port = Number(new URL(listening.url).port);
      receiver.url = `http://127.0.0.1:${receiver.port}/kyc`;
    },
  };
  await receiver.up();
  return receiver;
}

/**
 * What the app's messages say about the delivery guarantees: webhook-ids seen more than once, users whose
 * messages arrived out of order (each message's previous decision must be the decision of the one before
 * it, the first's null), and every user's last decision.
 */
export function summarizeAppMessages(messages: readonly AppMessage[]): {
  duplicateIds: string[];
  outOfOrderUsers: string[];
  lastDecision: Map<string, string>;
} {
  const seen = new Set<string>();
  const duplicateIds: string[] = [];
  const lastDecision = new Map<string, string>();
  const outOfOrder = new Set<string>();
  for (const message of messages) {
    if (seen.has(message.webhookId)) duplicateIds.push(message.webhookId);
    seen.add(message.webhookId);
    const { referenceId, decision, previousDecision } = message.data;
    if ((lastDecision.get(referenceId) ?? null) !== previousDecision) outOfOrder.add(referenceId);
    lastDecision.set(referenceId, decision);
  }
  return { duplicateIds, outOfOrderUsers: [...outOfOrder], lastDecision };
}

/** Reads a Prometheus sample's value from a `/metrics` text (NaN when absent). */
export function metricValue(metrics: string, sample: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : Number.NaN;
}
