import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { sign } from 'persona-webhooks';
import { buildEvent } from 'persona-webhooks/testing';
import { createProgress } from '../progress.js';
import { checkSendArguments } from '../send-checks.js';

interface SendFlags {
  url: string;
  secret?: string;
  referenceId?: string;
  inquiryId?: string;
  accountId?: string;
  status?: string;
  caseId?: string;
  resolution?: string;
  reportId?: string;
  transactionId?: string;
  resolvedAt?: string;
  accountStatus?: string;
  createdAt?: string;
  count: number;
  concurrency: number;
  bodyFile?: string;
  allowUnknownName?: boolean;
}

interface Sent {
  eventId: string;
  status: number;
  body: string;
  ms: number;
}

const positive = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError('must be a positive whole number');
  return number;
};

export function registerSendCommand(program: Command): void {
  program
    .command('send')
    .description(
      'Build realistic Persona events, sign them exactly as Persona does, and POST them (like `stripe trigger`).',
    )
    .argument(
      '[event-name]',
      'e.g. inquiry.approved, verification.passed, report/screening.matched, report/custom-list.dismissed, case.status-updated, transaction.status-updated, account.redacted (not with --body-file)',
    )
    .option('--url <url>', 'receiver URL', 'http://127.0.0.1:3000/webhooks/persona')
    .option('--secret <secret>', 'webhook secret to sign with (default: first of PERSONA_WEBHOOK_SECRET)')
    .option('--reference-id <id>', "your user id (Persona's reference-id)")
    .option('--inquiry-id <id>', 'inquiry id (default: a new inq_… per event)')
    .option('--account-id <id>', 'account id')
    .option(
      '--status <status>',
      "override the status derived from the event name: a case template's own (Accept, 'Declined by Team 1'), a transaction's (approved, needs_review, …)",
    )
    .option('--case-id <id>', 'case.*: the case id (default: a new case_… per event)')
    .option(
      '--resolution <resolution>',
      'case.*: the resolution (default Approved for case.resolved without --status; Declined, …)',
    )
    .option(
      '--resolved-at <iso>',
      "case.*: when Persona resolved the case (default: the event's time for case.resolved, else none)",
    )
    .option(
      '--report-id <id>',
      'report/<type>.*: the report id (default: a new rep_… per event); on case.*, the report the case is about',
    )
    .option(
      '--transaction-id <id>',
      'transaction.*: the transaction id (default: a new txn_… per event); on report/* and case.*, the transaction it relates to',
    )
    .option('--account-status <status>', "account.*: the account's account-status")
    .option('--created-at <iso>', "the event's created-at (default: now); with --count, 1 ms apart")
    .option('--count <n>', 'how many distinct events to send', positive, 1)
    .option('--concurrency <c>', 'requests in flight at once', positive, 10)
    .option('--allow-unknown-name', 'send an event name Persona does not send (to try how one is kept)')
    .option(
      '--body-file <path>',
      "sign and send this file's exact bytes instead of a built event (a captured payload, or a malformed one)",
    )
    .action(send);
}

async function send(name: string | undefined, flags: SendFlags): Promise<void> {
  const secret = (flags.secret ?? process.env['PERSONA_WEBHOOK_SECRET'] ?? '').split(',')[0]?.trim();
  if (!secret) throw new InvalidArgumentError('--secret is required (or set PERSONA_WEBHOOK_SECRET)');
  if (flags.bodyFile !== undefined) {
    if (name !== undefined) throw new InvalidArgumentError('give an event name or --body-file, not both');
    return sendBodyFile(flags.url, secret, flags.bodyFile);
  }
  if (name === undefined) throw new InvalidArgumentError('give an event name, e.g. inquiry.approved');
  checkSendArguments(name, flags, flags.allowUnknownName === true);
  const start = flags.createdAt ? Date.parse(flags.createdAt) : Date.now();
  if (Number.isNaN(start)) throw new InvalidArgumentError('--created-at must be an ISO 8601 time');
  if (flags.resolvedAt !== undefined && Number.isNaN(Date.parse(flags.resolvedAt)))
    throw new InvalidArgumentError('--resolved-at must be an ISO 8601 time');
  await sendEvents(name, flags, secret, start);
}

/** `--body-file`: the file's exact bytes, signed and sent once. */
async function sendBodyFile(url: string, secret: string, bodyFile: string): Promise<void> {
  const result = await post(url, secret, 'body', await readFile(bodyFile, 'utf8'));
  process.stdout.write(`${result.status} ${bodyFile} ${result.body}\n`);
  if (result.status === 0) process.stderr.write(`${serviceDownHint(url)}\n`);
  if (result.status < 200 || result.status > 299) process.exitCode = 1;
}

/** `--count` events built from the flags, posted by `--concurrency` senders; each line, or a summary past 20. */
async function sendEvents(name: string, flags: SendFlags, secret: string, start: number): Promise<void> {
  // Each event is built when a sender is free to post it, and only its status and latency are kept:
  // `--count 100000` holds a few requests' worth of memory, not 100,000 bodies.
  const eventAt = (i: number) =>
    buildEvent({
      name,
      createdAt: new Date(start + i),
      ...(flags.inquiryId ? { inquiryId: flags.inquiryId } : {}),
      ...(flags.accountId ? { accountId: flags.accountId } : {}),
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.caseId ? { caseId: flags.caseId } : {}),
      ...(flags.reportId ? { reportId: flags.reportId } : {}),
      ...(flags.transactionId ? { transactionId: flags.transactionId } : {}),
      ...(flags.resolvedAt ? { resolvedAt: flags.resolvedAt } : {}),
      ...(flags.accountStatus ? { accountStatus: flags.accountStatus } : {}),
      ...(flags.resolution ? { resolution: flags.resolution } : {}),
      referenceId:
        flags.referenceId ?? (flags.count > 1 ? `user-${String(i + 1).padStart(4, '0')}` : 'user-0001'),
    });

  const verbose = flags.count <= 20;
  const progress = createProgress(flags.count, 'sending');
  const tally = new SendTally(flags.count);
  let next = 0;
  const senders = Array.from({ length: Math.min(flags.concurrency, flags.count) }, async () => {
    for (let i = next++; i < flags.count; i = next++) {
      const event = eventAt(i);
      const result = await post(flags.url, secret, event.eventId, event.body);
      tally.add(result);
      progress.tick();
      if (verbose) process.stdout.write(`${result.status} ${event.eventId} ${name} ${result.body}\n`);
    }
  });
  await Promise.all(senders);
  progress.stop();
  if (!verbose) process.stdout.write(tally.summary());
  if (tally.unanswered > 0) process.stderr.write(`${serviceDownHint(flags.url)}\n`);
  if (tally.failed > 0) process.exitCode = 1;
}

/** What to do when nothing answered at `url`. */
function serviceDownHint(url: string): string {
  return `Nothing answered at ${url}: is the service running? Start it with \`persona-webhooks serve\` (or \`npm start\`), or point --url at where it listens.`;
}

/** Signs `body` as Persona does (over the exact bytes) and POSTs it. */
async function post(url: string, secret: string, eventId: string, body: string): Promise<Sent> {
  const startedAt = performance.now();
  const now = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'persona-signature': sign({ secret, body, timestamp: now }),
        'persona-webhook-attempts-made': '1',
        'persona-webhook-attempts-left': '7',
        'persona-webhook-first-attempted-at': String(now),
      },
    });
    return {
      eventId,
      status: response.status,
      body: (await response.text()).slice(0, 500),
      ms: performance.now() - startedAt,
    };
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return {
      eventId,
      status: 0,
      body: `no answer: ${cause?.code ?? (error as Error).message}`,
      ms: performance.now() - startedAt,
    };
  }
}

/** Statuses and latencies of a run, in fixed memory. */
class SendTally {
  readonly #byStatus = new Map<number, number>();
  readonly #latencies: Float64Array;
  #count = 0;
  /** Answers outside 2xx, and requests that got no answer. */
  failed = 0;
  /** Requests that got no answer at all (nothing listening, unreachable). */
  unanswered = 0;

  constructor(total: number) {
    this.#latencies = new Float64Array(total);
  }

  add(result: Sent): void {
    this.#byStatus.set(result.status, (this.#byStatus.get(result.status) ?? 0) + 1);
    this.#latencies[this.#count++] = result.ms;
    if (result.status < 200 || result.status > 299) this.failed++;
    if (result.status === 0) this.unanswered++;
  }

  summary(): string {
    const latencies = this.#latencies.subarray(0, this.#count).sort();
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(1);
    const statuses = [...this.#byStatus]
      .map(([status, n]) => `${status === 0 ? 'failed' : status}: ${n}`)
      .join(', ');
    return `sent ${this.#count} events — ${statuses} — latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms\n`;
  }
}
