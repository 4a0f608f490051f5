/**
 * Delivers recorded events to every enabled webhook that subscribes to them, as Persona does: a signed
 * POST (`Persona-Signature` with one `t=…,v1=…` set per live secret, so a rotation sends two), Persona's
 * attempt headers, success only on 200/201/202/204 within the timeout, and up to 7 retries after
 * Persona's documented delays (3, 64, 729, 4096, 15625, 46656 and 117649 s), divided by the time scale.
 * Disabling a webhook cancels its pending retries.
 */
import { personaId, sign } from 'persona-webhooks/testing';
import type {
  DeliveryAttemptRecord,
  EmulatedDelivery,
  EmulatedEvent,
  EmulatedWebhook,
} from './emulator-model.js';
import { type EmulatorState, liveSecrets, subscribes } from './emulator-state.js';
import { inflectKeys } from './persona-json.js';

/** Seconds between attempt n and n+1, as Persona documents them. */
export const PERSONA_RETRY_DELAYS_SECONDS: readonly number[] = [3, 64, 729, 4096, 15625, 46656, 117649];
/** The first attempt plus the retries. */
export const PERSONA_MAX_ATTEMPTS = PERSONA_RETRY_DELAYS_SECONDS.length + 1;
const SUCCESS_STATUSES: ReadonlySet<number> = new Set([200, 201, 202, 204]);

export interface DelivererOptions {
  /** 60 makes a minute a second. Default 1. */
  timeScale: number;
  /** How long a receiver has to answer. Default 5,000 ms, Persona's limit. */
  timeoutMs: number;
  /** Called after each attempt (for the emulator's console output). */
  onAttempt?: (attempt: DeliveryAttemptRecord) => void;
}

export class Deliverer {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #inFlight = new Set<AbortController>();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(
    private readonly state: EmulatorState,
    private readonly options: DelivererOptions,
  ) {
    if (!(options.timeScale > 0)) throw new RangeError('the time scale must be a positive number');
    this.#unsubscribe = state.onEvent((event, deliver) => this.#fanOut(event, deliver));
  }

  /** Milliseconds the emulator waits after attempt `attempt` fails (scaled). */
  retryDelayMs(attempt: number): number {
    return ((PERSONA_RETRY_DELAYS_SECONDS[attempt - 1] ?? 0) * 1000) / this.options.timeScale;
  }

  /** Cancels a webhook's pending retries (it was disabled or archived). */
  cancelPending(webhookId: string): void {
    const now = this.state.now();
    for (const delivery of this.state.deliveries) {
      if (delivery.webhookId !== webhookId || delivery.status !== 'pending') continue;
      clearTimeout(this.#timers.get(delivery.id));
      this.#timers.delete(delivery.id);
      delivery.status = 'failed';
      delivery.lastError ??= 'webhook disabled: pending retries canceled';
      delivery.nextAttemptAtMs = null;
      delivery.updatedAtMs = now;
    }
  }

  /** Stops every timer and aborts requests in flight. */
  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const controller of this.#inFlight) controller.abort();
  }

  #fanOut(event: EmulatedEvent, deliver: boolean): void {
    if (!deliver) return;
    for (const webhook of this.state.webhooks.values()) {
      if (webhook.status !== 'enabled' || !subscribes(webhook, event.name)) continue;
      const now = this.state.now();
      const delivery: EmulatedDelivery = {
        seq: this.state.nextSeq(),
        id: personaId('wbhe'),
        webhookId: webhook.id,
        eventId: event.id,
        eventName: event.name,
        status: 'pending',
        attemptsMade: 0,
        firstAttemptedAtMs: null,
        lastAttemptedAtMs: null,
        nextAttemptAtMs: now,
        lastResponseStatus: null,
        lastError: null,
        createdAtMs: now,
        updatedAtMs: now,
      };
      this.state.deliveries.push(delivery);
      if (this.state.faults.dropDeliveries > 0) {
        this.state.faults.dropDeliveries--;
        delivery.status = 'failed';
        delivery.lastError = 'dropped by the emulator (fault drop-deliveries)';
        delivery.nextAttemptAtMs = null;
        continue;
      }
      this.#schedule(delivery, event, 0);
    }
  }

  #schedule(delivery: EmulatedDelivery, event: EmulatedEvent, delayMs: number): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(delivery.id);
      void this.#attempt(delivery, event);
    }, delayMs);
    this.#timers.set(delivery.id, timer);
  }

  async #attempt(delivery: EmulatedDelivery, event: EmulatedEvent): Promise<void> {
    const webhook = this.state.webhooks.get(delivery.webhookId);
    if (webhook?.status !== 'enabled' || delivery.status !== 'pending') return;
    const startedAtMs = this.state.now();
    const attempt = delivery.attemptsMade + 1;
    delivery.attemptsMade = attempt;
    delivery.firstAttemptedAtMs ??= startedAtMs;
    delivery.lastAttemptedAtMs = startedAtMs;

    const body = JSON.stringify({ data: inflectKeys(event.resource, webhook.keyInflection) });
    const signature = signatureHeader(webhook, body, startedAtMs);
    const { status, error } = await this.#post(webhook, delivery, body, signature, attempt);

    const now = this.state.now();
    delivery.updatedAtMs = now;
    delivery.lastResponseStatus = status === 0 ? null : status;
    const record: DeliveryAttemptRecord = {
      deliveryId: delivery.id,
      webhookId: webhook.id,
      eventId: event.id,
      eventName: event.name,
      attempt,
      startedAtMs,
      status,
      error,
      signature,
    };
    this.state.attempts.push(record);
    this.options.onAttempt?.(record);
    if (delivery.status !== 'pending') return; // canceled while in flight
    if (error === null) {
      delivery.status = 'completed';
      delivery.nextAttemptAtMs = null;
      delivery.lastError = null;
      return;
    }
    delivery.lastError = error;
    if (attempt >= PERSONA_MAX_ATTEMPTS) {
      delivery.status = 'failed';
      delivery.nextAttemptAtMs = null;
      return;
    }
    const delayMs = this.retryDelayMs(attempt);
    delivery.nextAttemptAtMs = now + delayMs;
    this.#schedule(delivery, event, delayMs);
  }

  async #post(
    webhook: EmulatedWebhook,
    delivery: EmulatedDelivery,
    body: string,
    signature: string,
    attempt: number,
  ): Promise<{ status: number; error: string | null }> {
    if (this.state.faults.failDeliveryAttempts > 0) {
      this.state.faults.failDeliveryAttempts--;
      return { status: 0, error: 'connection failed (emulator fault fail-delivery-attempts)' };
    }
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        body,
        signal: controller.signal,
        redirect: 'manual',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'persona-signature': signature,
          'persona-webhook-attempts-made': String(attempt),
          'persona-webhook-attempts-left': String(PERSONA_MAX_ATTEMPTS - attempt),
          'persona-webhook-first-attempted-at': String(Math.floor((delivery.firstAttemptedAtMs ?? 0) / 1000)),
          'user-agent': 'Persona-Webhooks-Emulator',
        },
      });
      await response.arrayBuffer();
      return SUCCESS_STATUSES.has(response.status)
        ? { status: response.status, error: null }
        : { status: response.status, error: `HTTP ${response.status}` };
    } catch (error) {
      if (controller.signal.aborted) {
        return {
          status: 0,
          error: this.#closed ? 'emulator stopped' : `timeout after ${this.options.timeoutMs} ms`,
        };
      }
      const cause = (error as { cause?: { code?: string } }).cause;
      return { status: 0, error: `connection failed: ${cause?.code ?? (error as Error).message}` };
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }
}

/** `t=…,v1=…` for each live secret, space-separated: two sets while a rotation's old secret lives. */
export function signatureHeader(webhook: EmulatedWebhook, body: string, nowMs: number): string {
  const timestamp = Math.floor(nowMs / 1000);
  return liveSecrets(webhook, nowMs)
    .map((secret) => sign({ secret: secret.value, body, timestamp }))
    .join(' ');
}
