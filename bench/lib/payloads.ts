/**
 * Distinct, Persona-sized webhook deliveries. Every body is Persona's documented sample (the 6.7 KB
 * fixture) with its event id, inquiry id and reference id replaced, so each request is a new event of the
 * real size and shape, and no server under test can answer from a dedupe cache.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sign } from '../../packages/persona-webhooks/src/signature/node-crypto.js';

const FIXTURE = fileURLToPath(
  new URL('../../test/fixtures/inquiry.approved.docs-sample.json', import.meta.url),
);
// The ids in the fixture, replaced by ids of the same length so bodies keep the documented size.
const EVENT_ID = 'evt_o9byQRbjygu76Jbtea9wuJ1boP7a';
const INQUIRY_ID = 'inq_zEx4jL84ShbUyuwX6AzPSqt6';
const REFERENCE_ID = '"reference-id": "abc-123"';

/** Secret shared by the bench and every server it starts. */
export const BENCH_SECRET = 'wbhsec_bench_0123456789abcdef0123456789';

/** One pre-signed delivery: exactly what autocannon writes for one request. */
export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
}

// A per-process tag keeps ids unique across bench invocations sharing one database.
const RUN_TAG = randomBytes(4).toString('hex');
let counter = 0;
const template = readFileSync(FIXTURE, 'utf8');

/** `prefix` + 8-hex run tag + `n` in base 36 padded to `length`: the fixture id's length when length = its length − 12. */
function uniqueId(prefix: string, length: number, n: number): string {
  return prefix + RUN_TAG + n.toString(36).padStart(length, '0');
}

/** A new distinct event body, the fixture's size; `n` makes ids unique within this process. */
export function nextEventBody(): Buffer {
  const n = counter++;
  const body = template
    .replaceAll(EVENT_ID, uniqueId('evt_', EVENT_ID.length - 12, n))
    .replaceAll(INQUIRY_ID, uniqueId('inq_', INQUIRY_ID.length - 12, n))
    .replace(REFERENCE_ID, `"reference-id": "bench-user-${n}"`);
  return Buffer.from(body);
}

/** The size of one bench body in bytes (the fixture's, give or take the reference id). */
export function bodySize(): number {
  return Buffer.byteLength(template);
}

/** Signs a body now, with the headers Persona sends on a first attempt. */
export function deliver(body: Buffer, nowSeconds = Math.floor(Date.now() / 1000)): Delivery {
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'persona-signature': sign({ secret: BENCH_SECRET, body, timestamp: nowSeconds }),
      'persona-webhook-attempts-made': '1',
      'persona-webhook-attempts-left': '7',
      'persona-webhook-first-attempted-at': String(nowSeconds),
    },
  };
}

/**
 * Deliveries signed up front so signing never loads the generator during a run. If a run outpaces the
 * estimate, further deliveries are signed on demand and counted in `signedLate`, which the report shows.
 */
export class DeliveryPool {
  private readonly prepared: (Delivery | undefined)[];
  private next = 0;
  signedLate = 0;

  constructor(size: number) {
    const now = Math.floor(Date.now() / 1000);
    this.prepared = Array.from({ length: size }, () => deliver(nextEventBody(), now));
  }

  /** The next unused delivery; never the same event twice. */
  take(): Delivery {
    const delivery = this.prepared[this.next];
    if (delivery) {
      // Dropping the reference lets a long run's memory fall as it goes.
      this.prepared[this.next++] = undefined;
      return delivery;
    }
    this.signedLate += 1;
    return deliver(nextEventBody());
  }

  /** How many deliveries were handed out. */
  get used(): number {
    return this.next + this.signedLate;
  }
}
