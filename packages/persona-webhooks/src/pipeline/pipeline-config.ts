/**
 * The pipeline's options, checked and defaulted once when it is built: misconfiguration fails there,
 * loudly, rather than as a 401 or 500 on every genuine delivery.
 */
import { createDispatcher, type Dispatcher } from '../dispatch/dispatcher.js';
import { checkVerifyOptions } from '../signature/signature-options.js';
import type { InboxWriter } from '../store/inbox/inbox.js';
import { InFlightDedupe } from './in-flight-dedupe.js';
import {
  DEFAULT_DEDUPE_ENTRIES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONCURRENT_BODIES,
  type PipelineOptions,
} from './pipeline-options.js';

export interface PipelineConfig {
  secrets: readonly string[];
  toleranceSeconds: number;
  maxBodyBytes: number;
  maxConcurrentBodies: number;
  now: () => number;
  /** Durable mode when set; otherwise the dispatcher's handlers run inline. */
  store: InboxWriter | undefined;
  dispatcher: Dispatcher;
  dedupe: InFlightDedupe;
}

export function resolvePipelineConfig(options: PipelineOptions): PipelineConfig {
  const { secrets, toleranceSeconds } = checkVerifyOptions({
    body: '',
    header: null,
    secrets: options.secrets,
    ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
  });
  const maxBodyBytes = positiveInteger('maxBodyBytes', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const maxConcurrentBodies = positiveInteger(
    'maxConcurrentBodies',
    options.maxConcurrentBodies ?? DEFAULT_MAX_CONCURRENT_BODIES,
  );
  if (options.store && options.dispatcher) {
    throw new TypeError(
      'persona-webhooks: pass either a store (durable: give the dispatcher to createWorker, which runs the handlers) or a dispatcher (inline), not both.',
    );
  }
  return {
    secrets,
    toleranceSeconds,
    maxBodyBytes,
    maxConcurrentBodies,
    now: options.now ?? Date.now,
    store: options.store,
    dispatcher: options.dispatcher ?? createDispatcher(),
    dedupe: new InFlightDedupe(options.dedupeEntries ?? DEFAULT_DEDUPE_ENTRIES),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`persona-webhooks: ${name} must be a positive integer.`);
  }
  return value;
}
