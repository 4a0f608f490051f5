/**
 * What the service's thread and its SQLite store thread say to each other: one request per Store call,
 * one reply per request, and a notice whenever a commit made events (or outbound messages) available;
 * also a migration's progress, and what the handlers module (imported here for its kycPolicy) writes to
 * the console.
 */
import type { RebuildProgress, Store } from 'persona-webhooks';
import type { TransferredError } from './transferred-error.js';

/** Every Store method that runs in the store thread; the proxy keeps the listeners and `close`. */
export const THREAD_METHODS = [
  'schemaStatus',
  'migrate',
  'ping',
  'ingest',
  'quarantine',
  'claim',
  'complete',
  'fail',
  'replay',
  'replayDead',
  'purgeBodies',
  'getEvent',
  'listEvents',
  'counts',
  'getInquiry',
  'getKyc',
  'getKycFacts',
  'countDecisions',
  'listKyc',
  'getVerification',
  'listVerifications',
  'timeline',
  'receivedPerMinute',
  'inboxTimes',
  'putEndpoint',
  'listEndpoints',
  'claimDeliveries',
  'finishDelivery',
  'listDeliveries',
  'getDelivery',
  'replayDelivery',
  'sendDeliveryNow',
  'recoverDeliveries',
  'removeEndpoint',
  'deliveryStats',
] as const satisfies readonly (keyof Store)[];

export type ThreadMethod = (typeof THREAD_METHODS)[number];

// A Store method added later must be listed above (or handled by the proxy): this fails to compile if not.
type Unlisted = Exclude<keyof Store, ThreadMethod | 'onEventsAvailable' | 'onDeliveriesAvailable' | 'close'>;
export const EVERY_METHOD_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;

/** What the store thread is started with. */
export interface StoreThreadData {
  path: string;
  /** The handlers module whose `kycPolicy` the thread's store decides with (a function cannot be sent). */
  policyModule: string | null;
  /** The policy file (PERSONA_WEBHOOKS_POLICY), when no module's `kycPolicy` wins over it. */
  policyFile: string | null;
}

export type ThreadRequest = { id: number; method: ThreadMethod | 'close'; args: unknown[] };

export type ThreadMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: TransferredError }
  | { available: 'events' | 'deliveries' }
  | { progressOf: number; progress: RebuildProgress }
  | { console: { method: ThreadConsoleMethod; text: string } };

/** The console methods the store thread forwards. */
export const THREAD_CONSOLE_METHODS = ['log', 'info', 'debug', 'trace', 'warn', 'error'] as const;
export type ThreadConsoleMethod = (typeof THREAD_CONSOLE_METHODS)[number];
