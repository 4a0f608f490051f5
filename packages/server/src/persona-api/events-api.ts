/**
 * Persona's Events API as recovery needs it: `GET /events`, newest first, page after page, each event
 * as the exact text Persona sent wrapped in a webhook envelope (`{"data":<event>}`), so it goes through
 * the same parsing, deduplication and quarantine as a delivered webhook.
 */
import type { PersonaApiClient } from './client.js';

/** One event from the Events API. Fields are null when Persona's item lacks them (it is then quarantined). */
export interface ApiEvent {
  id: string | null;
  name: string | null;
  /** The event's `created-at` in epoch ms, when readable. */
  createdAtMs: number | null;
  /** `{"data":<the item exactly as sent>}`: the body of the webhook Persona would have delivered. */
  body: string;
}

export interface ListEventsOptions {
  /** Items asked for per page (1–100; Persona may send fewer). Default 100. */
  pageSize?: number;
  /** Only events of this name (`filter[name]`). */
  name?: string;
  signal?: AbortSignal;
}

/**
 * Pages through `GET /events`, newest first. The caller stops iterating once it has gone back far
 * enough: Persona has no created-at filter, so the oldest event of a page is what tells it.
 *
 * @example
 * for await (const page of listEventPages(client, { pageSize: 100 })) for (const event of page) …
 */
export async function* listEventPages(
  client: PersonaApiClient,
  options: ListEventsOptions = {},
): AsyncGenerator<ApiEvent[]> {
  const query = { 'page[size]': options.pageSize ?? 100, 'filter[name]': options.name };
  for await (const page of client.pages('/events', query, options.signal)) {
    yield page.items.map((item, i) => toApiEvent(item, page.rawItems[i]!));
  }
}

function toApiEvent(item: unknown, raw: string): ApiEvent {
  const record = isRecord(item) ? item : {};
  const attributes = isRecord(record['attributes']) ? record['attributes'] : {};
  const createdAt = attributes['created-at'] ?? attributes['createdAt'] ?? attributes['created_at'];
  const createdAtMs = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
  return {
    id: typeof record['id'] === 'string' ? record['id'] : null,
    name: typeof attributes['name'] === 'string' ? attributes['name'] : null,
    createdAtMs: Number.isNaN(createdAtMs) ? null : createdAtMs,
    body: `{"data":${raw}}`,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
