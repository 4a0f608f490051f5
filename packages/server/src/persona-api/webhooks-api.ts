/**
 * Persona's Webhooks and Webhook Events APIs, typed for `doctor` and `webhooks`: list, create, retrieve,
 * set the enabled events, enable, disable, rotate the secret, and search delivery records. Answers are
 * read leniently (kebab, camel or snake keys) because an unexpected shape must give a clear message, not
 * a crash.
 */
import { PersonaApiError } from './api-errors.js';
import type { ApiResponse, PersonaApiClient } from './client.js';

/** One of a webhook's signing secrets; `expiresAt` is set on the old one during a rotation. */
export interface WebhookSecret {
  value: string;
  expiresAt: string | null;
}

export interface Webhook {
  id: string;
  /** `enabled`, `disabled` or `archived`. */
  status: string;
  url: string;
  enabledEvents: string[];
  apiVersion: string | null;
  /** `kebab`, `camel` or `snake`. */
  keyInflection: string | null;
  secrets: WebhookSecret[];
  createdAt: string | null;
}

/** One delivery record (`wbhe_…`): one event for one webhook, with its attempts. */
export interface WebhookDelivery {
  id: string;
  /** `pending`, `completed`, `failed` or `skipped`. */
  status: string;
  webhookId: string | null;
  eventId: string | null;
  eventName: string | null;
  attemptsMade: number | null;
  /** Last attempt's time (ISO). */
  updatedAt: string | null;
  /** What went wrong on the last attempt, when it failed (e.g. `HTTP 401`, `timeout`). */
  lastError: string | null;
}

export interface CreateWebhookInput {
  url: string;
  enabledEvents: readonly string[];
  apiVersion?: string;
  keyInflection?: 'kebab' | 'camel' | 'snake';
}

/** Every webhook of the environment, following pagination. */
export async function listWebhooks(client: PersonaApiClient, signal?: AbortSignal): Promise<Webhook[]> {
  const webhooks: Webhook[] = [];
  for await (const page of client.pages('/webhooks', { 'page[size]': 100 }, signal)) {
    for (const item of page.items) webhooks.push(toWebhook(item, page.response, 'GET /webhooks'));
  }
  return webhooks;
}

export async function getWebhook(client: PersonaApiClient, id: string): Promise<Webhook> {
  const response = await client.get(`/webhooks/${encodeURIComponent(id)}`);
  return toWebhook(dataOf(response), response, `GET /webhooks/${id}`);
}

export async function createWebhook(client: PersonaApiClient, input: CreateWebhookInput): Promise<Webhook> {
  const attributes: Record<string, unknown> = { url: input.url, 'enabled-events': input.enabledEvents };
  if (input.apiVersion) attributes['api-version'] = input.apiVersion;
  if (input.keyInflection) attributes['api-key-inflection'] = input.keyInflection;
  const response = await client.post('/webhooks', { body: { data: { attributes } } });
  return toWebhook(dataOf(response), response, 'POST /webhooks');
}

/** Sets the events a webhook sends (Persona's "Update a Webhook", `PATCH /webhooks/:id`); its secrets stay. */
export async function setWebhookEvents(
  client: PersonaApiClient,
  id: string,
  enabledEvents: readonly string[],
): Promise<Webhook> {
  const path = `/webhooks/${encodeURIComponent(id)}`;
  const body = { data: { attributes: { 'enabled-events': enabledEvents } } };
  const response = await client.request('PATCH', path, { body });
  return toWebhook(dataOf(response), response, `PATCH ${path}`);
}

/** `enable` or `disable`. */
export async function setWebhookEnabled(
  client: PersonaApiClient,
  id: string,
  enabled: boolean,
): Promise<Webhook> {
  const path = `/webhooks/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`;
  const response = await client.post(path);
  return toWebhook(dataOf(response), response, `POST ${path}`);
}

/** Adds a new secret; the current one keeps signing until `expiresInSeconds` from now. */
export async function rotateWebhookSecret(
  client: PersonaApiClient,
  id: string,
  expiresInSeconds: number,
): Promise<Webhook> {
  const path = `/webhooks/${encodeURIComponent(id)}/rotate-secret`;
  const response = await client.post(path, { body: { meta: { 'expires-in-seconds': expiresInSeconds } } });
  return toWebhook(dataOf(response), response, `POST ${path}`);
}

export interface DeliverySearch {
  webhookId: string;
  status?: 'pending' | 'completed' | 'failed' | 'skipped';
  /** Only records last updated at or after this time (ISO). */
  updatedSince?: string;
  /** Most records returned. Default 100. */
  limit?: number;
}

/** `POST /webhook-events/search`, newest first; `more` says whether records were left out. */
export async function searchWebhookDeliveries(
  client: PersonaApiClient,
  search: DeliverySearch,
): Promise<{ deliveries: WebhookDelivery[]; more: boolean }> {
  const predicates: Array<Record<string, string>> = [
    { attribute: 'webhook_id', operator: 'eq', value: search.webhookId },
  ];
  if (search.status) predicates.push({ attribute: 'status', operator: 'eq', value: search.status });
  if (search.updatedSince) {
    predicates.push({ attribute: 'updated_at', operator: 'gte', value: search.updatedSince });
  }
  const response = await client.post('/webhook-events/search', {
    query: { 'page[size]': search.limit ?? 100 },
    body: { query: { and: predicates } },
  });
  const json = response.json as { data?: unknown; links?: { next?: unknown } } | null;
  if (!Array.isArray(json?.data)) throw unexpected(response, 'POST /webhook-events/search');
  return {
    deliveries: json.data.map(toDelivery),
    more: typeof json.links?.next === 'string' && json.links.next.length > 0,
  };
}

function dataOf(response: ApiResponse): unknown {
  return (response.json as { data?: unknown } | null)?.data;
}

function toWebhook(item: unknown, response: ApiResponse, call: string): Webhook {
  const record = asRecord(item);
  const attributes = asRecord(record['attributes']);
  const id = record['id'];
  const url = pick(attributes, 'url');
  if (typeof id !== 'string' || typeof url !== 'string') throw unexpected(response, call);
  const secrets = pick(attributes, 'secrets');
  const events = pick(attributes, 'enabled-events');
  return {
    id,
    status: stringOr(pick(attributes, 'status'), 'unknown'),
    url,
    enabledEvents: Array.isArray(events) ? events.filter((e): e is string => typeof e === 'string') : [],
    apiVersion: stringOr(pick(attributes, 'api-version'), null),
    keyInflection: stringOr(pick(attributes, 'api-key-inflection'), null),
    secrets: Array.isArray(secrets)
      ? secrets.flatMap((secret) => {
          const s = asRecord(secret);
          const value = s['value'];
          return typeof value === 'string'
            ? [{ value, expiresAt: stringOr(pick(s, 'expires-at'), null) }]
            : [];
        })
      : [],
    createdAt: stringOr(pick(attributes, 'created-at'), null),
  };
}

function toDelivery(item: unknown): WebhookDelivery {
  const record = asRecord(item);
  const attributes = asRecord(record['attributes']);
  const attempts = pick(attributes, 'attempts-made');
  return {
    id: stringOr(record['id'], 'unknown'),
    status: stringOr(pick(attributes, 'status'), 'unknown'),
    webhookId: stringOr(pick(attributes, 'webhook-id'), null),
    eventId: stringOr(pick(attributes, 'event-id'), null),
    eventName: stringOr(pick(attributes, 'event-name'), null),
    attemptsMade: typeof attempts === 'number' ? attempts : null,
    updatedAt: stringOr(pick(attributes, 'updated-at'), null),
    lastError: stringOr(pick(attributes, 'last-error'), null),
  };
}

/** An attribute by its kebab name, or its camel / snake spelling. */
function pick(record: Record<string, unknown>, kebab: string): unknown {
  if (kebab in record) return record[kebab];
  const camel = kebab.replace(/-(.)/g, (_m, c: string) => c.toUpperCase());
  if (camel in record) return record[camel];
  return record[kebab.replaceAll('-', '_')];
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function stringOr<T extends string | null>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' ? value : fallback;
}

function unexpected(response: ApiResponse, call: string): PersonaApiError {
  const [method = 'GET', path = call] = call.split(' ');
  return new PersonaApiError(
    { method, path, status: response.status, requestId: response.requestId },
    'invalid_response',
    `Persona API ${call} answered ${response.status} with an unexpected shape${response.requestId ? ` (Request-Id ${response.requestId})` : ''}.`,
  );
}
