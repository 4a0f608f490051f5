/**
 * Everything the emulated Persona environment holds, in memory: events, webhooks and their secrets,
 * delivery records, inquiries, cases, reports and transactions, API keys and the faults turned on. Recording an event is the one way
 * anything happens; listeners (the deliverer) hear about each one.
 */
import { randomBytes } from 'node:crypto';
import { type BuildEventOptions, buildEvent, personaId } from 'persona-webhooks/testing';
import { PERSONA_API_VERSION } from '../persona-api/client.js';
import type { ApiPermission } from '../persona-api/permissions.js';
import type {
  ApiRequestRecord,
  DeliveryAttemptRecord,
  EmulatedCase,
  EmulatedDelivery,
  EmulatedEvent,
  EmulatedInquiry,
  EmulatedReport,
  EmulatedTransaction,
  EmulatedWebhook,
  EmulatorFaults,
  KeyInflection,
  KeyPermissions,
} from './emulator-model.js';

/**
 * What to record: an event name and what it is about (any of `buildEvent`'s options but the event id);
 * the body is built like a real Persona event.
 */
export interface RecordEventInput extends Omit<BuildEventOptions, 'eventId' | 'createdAt'> {
  /** Default: now. Past times let tests and demos create "missed yesterday" events. */
  createdAt?: Date | string;
  /** False records the event in the Events API only, as if the webhook never saw it. Default true. */
  deliver?: boolean;
}

export interface CreateWebhookInput {
  url: string;
  enabledEvents?: readonly string[];
  apiVersion?: string;
  keyInflection?: KeyInflection;
  /** The first secret; default a new random `wbhsec_…`. */
  secret?: string;
  status?: 'enabled' | 'disabled';
}

/** Listener for every recorded event. */
export type EventListener = (event: EmulatedEvent, deliver: boolean) => void;

/** New webhooks default to the version the API client pins (the latest Persona documents as released). */
export const EMULATOR_DEFAULT_API_VERSION = PERSONA_API_VERSION;

/** Lifecycle actions of `POST /inquiries/:id/<action>`, and the status and event each one sets. */
export const INQUIRY_ACTIONS: Readonly<Record<string, { status: string; event: string }>> = {
  approve: { status: 'approved', event: 'inquiry.approved' },
  decline: { status: 'declined', event: 'inquiry.declined' },
  expire: { status: 'expired', event: 'inquiry.expired' },
  'mark-for-review': { status: 'needs_review', event: 'inquiry.marked-for-review' },
  complete: { status: 'completed', event: 'inquiry.completed' },
  fail: { status: 'failed', event: 'inquiry.failed' },
};

const NO_FAULTS: EmulatorFaults = { dropDeliveries: 0, failDeliveryAttempts: 0, apiDelayMs: 0, apiErrors: 0 };

export class EmulatorState {
  readonly events: EmulatedEvent[] = [];
  readonly webhooks = new Map<string, EmulatedWebhook>();
  readonly deliveries: EmulatedDelivery[] = [];
  readonly inquiries = new Map<string, EmulatedInquiry>();
  /** Cases and reports, kept by `emulator-compliance.ts`; transactions by `emulator-transactions.ts`. */
  readonly cases = new Map<string, EmulatedCase>();
  readonly reports = new Map<string, EmulatedReport>();
  readonly transactions = new Map<string, EmulatedTransaction>();
  readonly apiKeys = new Map<string, KeyPermissions>();
  readonly requests: ApiRequestRecord[] = [];
  readonly attempts: DeliveryAttemptRecord[] = [];
  faults: EmulatorFaults = { ...NO_FAULTS };
  readonly #listeners = new Set<EventListener>();
  #seq = 0;
  #lastNowMs = 0;
  #newestFirst: EmulatedEvent[] | null = null;

  constructor(readonly now: () => number = Date.now) {}

  /** Registers a listener for recorded events; returns an unsubscribe. */
  onEvent(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  nextSeq(): number {
    return ++this.#seq;
  }

  /** Adds an API key; `permissions` default to all. Returns the key. */
  addApiKey(
    key: string = `persona_sandbox_${randomBytes(16).toString('hex')}`,
    permissions: readonly ApiPermission[] | 'all' = 'all',
  ): string {
    this.apiKeys.set(key, permissions === 'all' ? 'all' : new Set(permissions));
    return key;
  }

  /** Turns faults on (merged into the current ones). */
  setFaults(faults: Partial<EmulatorFaults>): EmulatorFaults {
    this.faults = { ...this.faults, ...faults };
    return this.faults;
  }

  /** Records an event exactly as Persona would have created it, and tells the listeners. */
  recordEvent(input: RecordEventInput): EmulatedEvent {
    // Steps of one lifecycle a moment apart: two events in one millisecond would tie on created-at,
    // and the newest-wins rule would then fall back to comparing their random ids.
    this.#lastNowMs = Math.max(this.now(), this.#lastNowMs + 1);
    const { deliver = true, createdAt, ...options } = input;
    const built = buildEvent({ ...options, createdAt: createdAt ?? new Date(this.#lastNowMs) });
    const resource = (JSON.parse(built.body) as { data: Record<string, unknown> }).data;
    return this.#add(resource, built.eventId, built.name, Date.parse(built.createdAt), input.deliver ?? true);
  }

  /**
   * Records an event resource exactly as given (`data` of a webhook body, in any key inflection), e.g. a
   * sample of another API version's shape, so the Events API serves it as it is.
   */
  recordResource(resource: Record<string, unknown>, options: { deliver?: boolean } = {}): EmulatedEvent {
    const attributes = (resource['attributes'] ?? {}) as Record<string, unknown>;
    const id = resource['id'];
    const name = attributes['name'];
    const createdAt = attributes['created-at'] ?? attributes['createdAt'] ?? attributes['created_at'];
    const createdAtMs = Date.parse(String(createdAt));
    if (typeof id !== 'string' || typeof name !== 'string' || Number.isNaN(createdAtMs)) {
      throw new TypeError(
        'recordResource needs data.id, data.attributes.name and data.attributes.created-at',
      );
    }
    return this.#add(resource, id, name, createdAtMs, options.deliver ?? true);
  }

  #add(
    resource: Record<string, unknown>,
    id: string,
    name: string,
    createdAtMs: number,
    deliver: boolean,
  ): EmulatedEvent {
    const payload = (resource['attributes'] as { payload?: { data?: { id?: unknown } } }).payload;
    const event: EmulatedEvent = {
      seq: this.nextSeq(),
      id,
      name,
      createdAtMs,
      objectId: typeof payload?.data?.id === 'string' ? payload.data.id : null,
      resource,
    };
    this.events.push(event);
    this.#newestFirst = null;
    for (const listener of this.#listeners) listener(event, deliver);
    return event;
  }

  /** Events newest first (created-at, then insertion order), as `GET /events` lists them. */
  eventsNewestFirst(): readonly EmulatedEvent[] {
    this.#newestFirst ??= [...this.events].sort((a, b) => b.createdAtMs - a.createdAtMs || b.seq - a.seq);
    return this.#newestFirst;
  }

  getEvent(id: string): EmulatedEvent | undefined {
    return this.events.find((event) => event.id === id);
  }

  createWebhook(input: CreateWebhookInput): EmulatedWebhook {
    const webhook: EmulatedWebhook = {
      id: personaId('wbh'),
      url: input.url,
      status: input.status ?? 'enabled',
      enabledEvents: [...(input.enabledEvents ?? [])],
      apiVersion: input.apiVersion ?? EMULATOR_DEFAULT_API_VERSION,
      keyInflection: input.keyInflection ?? 'kebab',
      secrets: [{ value: input.secret ?? newSecret(), expiresAtMs: null }],
      createdAtMs: this.now(),
    };
    this.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  /** Webhooks newest first. */
  webhooksNewestFirst(): EmulatedWebhook[] {
    return [...this.webhooks.values()].reverse();
  }

  /**
   * Adds a new current secret; the old ones stay valid for `expiresInSeconds` (0: they stop at once).
   * Persona signs with every live secret meanwhile, so receivers can switch without losing a delivery.
   */
  rotateSecret(webhook: EmulatedWebhook, expiresInSeconds: number): EmulatedWebhook {
    const now = this.now();
    const expiresAtMs = now + expiresInSeconds * 1000;
    for (const secret of webhook.secrets) {
      if (secret.expiresAtMs === null || secret.expiresAtMs > expiresAtMs) secret.expiresAtMs = expiresAtMs;
    }
    webhook.secrets = [{ value: newSecret(), expiresAtMs: null }, ...liveSecrets(webhook, now)];
    return webhook;
  }

  /** Creates an inquiry and records `inquiry.created`. */
  createInquiry(input: { referenceId?: string | null; accountId?: string }): EmulatedInquiry {
    const inquiry: EmulatedInquiry = {
      id: personaId('inq'),
      referenceId: input.referenceId ?? null,
      accountId: input.accountId ?? personaId('act'),
      status: 'created',
      createdAtMs: this.now(),
      redactedAtMs: null,
    };
    this.inquiries.set(inquiry.id, inquiry);
    this.#recordInquiryEvent(inquiry, 'inquiry.created');
    return inquiry;
  }

  /** The user's most recently created inquiry, or undefined when they have none. */
  newestInquiryOf(referenceId: string): EmulatedInquiry | undefined {
    let newest: EmulatedInquiry | undefined;
    // Insertion order breaks created-at ties: the later-created of two same-millisecond inquiries wins.
    for (const inquiry of this.inquiries.values()) {
      if (inquiry.referenceId === referenceId && (!newest || inquiry.createdAtMs >= newest.createdAtMs))
        newest = inquiry;
    }
    return newest;
  }

  /** Moves an inquiry through its lifecycle (`approve`, `decline`, …) and records the event. */
  transitionInquiry(inquiry: EmulatedInquiry, action: string): EmulatedInquiry {
    const step = INQUIRY_ACTIONS[action];
    if (!step) throw new RangeError(`unknown inquiry action ${action}`);
    inquiry.status = step.status;
    this.#recordInquiryEvent(inquiry, step.event);
    return inquiry;
  }

  /** Redacts an inquiry (status kept, `redacted-at` set) and records `inquiry.redacted`. */
  redactInquiry(inquiry: EmulatedInquiry): EmulatedInquiry {
    // Persona nulls personal data; the reference id is the customer's own and stays.
    inquiry.redactedAtMs = this.now();
    this.#recordInquiryEvent(inquiry, 'inquiry.redacted');
    return inquiry;
  }

  #recordInquiryEvent(inquiry: EmulatedInquiry, name: string): void {
    this.recordEvent({
      name,
      inquiryId: inquiry.id,
      referenceId: inquiry.referenceId,
      accountId: inquiry.accountId,
      status: inquiry.status,
      inquiryCreatedAt: new Date(inquiry.createdAtMs),
    });
  }
}

/** Secrets that still sign: the current one and any old one not yet expired. */
export function liveSecrets(webhook: EmulatedWebhook, nowMs: number) {
  return webhook.secrets.filter((secret) => secret.expiresAtMs === null || secret.expiresAtMs > nowMs);
}

/** Whether a webhook subscribes to an event name (`*` subscribes to everything). */
export function subscribes(webhook: EmulatedWebhook, eventName: string): boolean {
  return webhook.enabledEvents.includes('*') || webhook.enabledEvents.includes(eventName);
}

function newSecret(): string {
  return `wbhsec_${randomBytes(24).toString('base64url')}`;
}
