/**
 * A small client for Persona's REST API, on the global `fetch`: bearer auth, a pinned `Persona-Version`,
 * kebab keys, cursor pagination through `links.next`, a client-side request budget, `429` waits as long
 * as Persona says, timeouts, and retries with back-off on 5xx and network errors (POSTs carry an
 * `Idempotency-Key`, so a retried write happens once). The key lives in a private field and is never part
 * of an error, a log line or a report.
 */
import { randomUUID } from 'node:crypto';
import { type ApiRequestInfo, PersonaApiAuthError, PersonaApiError, requestIdSuffix } from './api-errors.js';
import { BodyTooLargeError, readCappedText } from './capped-body.js';
import { permissionFor } from './permissions.js';
import { rawArrayElements } from './raw-json.js';
import { sleep as defaultSleep, RequestBudget, type Sleep } from './request-budget.js';
import { backoffDelayMs, isRetryableStatus, rateLimitWaitMs } from './retry-policy.js';

export const DEFAULT_PERSONA_API_URL = 'https://api.withpersona.com/api/v1';
/**
 * The API version every request pins, so Persona changing its default cannot change what we parse: the
 * latest Persona's changelog and versioning page document as released. Since 2025-10-27 `fields` keys
 * are not key-inflected and `included` is empty unless asked for; recovery reads neither.
 */
export const PERSONA_API_VERSION = '2025-12-08';
export const DEFAULT_MAX_REQUESTS_PER_MINUTE = 120;
/**
 * Largest answer read (8 MiB). A full page of 100 events with large inquiries is well under 2 MB; a
 * server sending more is broken or hostile, and would otherwise be held in memory whole.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface PersonaApiClientOptions {
  /** `persona_sandbox_…` / `persona_production_…`. */
  apiKey: string;
  /** Default `https://api.withpersona.com/api/v1`. */
  baseUrl?: string;
  /** Client-side budget: requests per window (default 120 per minute). */
  maxRequestsPerWindow?: number;
  /** The budget's window. Default 60,000 ms; tests shorten it. */
  budgetWindowMs?: number;
  /** One attempt's limit, answer body included. Default 30,000 ms. */
  timeoutMs?: number;
  /** Retries after a 5xx, a timeout or a network error. Default 4. */
  maxRetries?: number;
  /** First back-off after a 5xx or network error, doubling per retry. Default 500 ms. */
  retryBaseDelayMs?: number;
  /** How many `429`s in a row one call waits out before failing. Default 5. */
  maxRateLimitRetries?: number;
  /** The longest `429` wait accepted; a longer one fails the call instead of blocking it. Default 120 s. */
  maxRateLimitWaitMs?: number;
  /** Largest answer body read, counted while it arrives (PERSONA_API_MAX_RESPONSE_BYTES). Default 8 MiB. */
  maxResponseBytes?: number;
  /** Test seams. */
  fetch?: typeof fetch;
  sleep?: Sleep;
  now?: () => number;
  /** Called after each attempt; never receives the key or any body. */
  onAttempt?: (report: AttemptReport) => void;
}

/** One HTTP attempt, for debug logs and tests. */
export interface AttemptReport {
  method: string;
  path: string;
  /** 0 when no answer arrived. */
  status: number;
  requestId: string | null;
  durationMs: number;
  /** How long the client waits before the next attempt of the same call; absent when it does not retry. */
  retryInMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

/** A successful answer. `json` is the parsed body (null when empty); `text` the exact bytes as text. */
export interface ApiResponse {
  status: number;
  requestId: string | null;
  headers: Headers;
  text: string;
  json: unknown;
}

/** One page of a list: each `data` element parsed, and its exact text. */
export interface ApiPage {
  response: ApiResponse;
  items: unknown[];
  rawItems: string[];
}

export class PersonaApiClient {
  /** The API base, e.g. `https://api.withpersona.com/api/v1` (no trailing slash). */
  readonly baseUrl: URL;
  readonly budget: RequestBudget;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #sleep: Sleep;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryBaseDelayMs: number;
  readonly #maxRateLimitRetries: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #maxResponseBytes: number;
  readonly #onAttempt: ((report: AttemptReport) => void) | undefined;

  constructor(options: PersonaApiClientOptions) {
    if (!options.apiKey || options.apiKey.trim() !== options.apiKey) {
      throw new TypeError('PERSONA_API_KEY is empty or has surrounding spaces.');
    }
    this.#apiKey = options.apiKey;
    this.baseUrl = new URL((options.baseUrl ?? DEFAULT_PERSONA_API_URL).replace(/\/+$/, ''));
    if (this.baseUrl.protocol !== 'https:' && this.baseUrl.protocol !== 'http:') {
      throw new TypeError('PERSONA_API_URL must be an http(s) URL.');
    }
    this.#fetch = options.fetch ?? fetch;
    this.#sleep = options.sleep ?? defaultSleep;
    this.budget = new RequestBudget({
      limit: options.maxRequestsPerWindow ?? DEFAULT_MAX_REQUESTS_PER_MINUTE,
      windowMs: options.budgetWindowMs ?? 60_000,
      sleep: this.#sleep,
      ...(options.now ? { now: options.now } : {}),
    });
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxRetries = options.maxRetries ?? 4;
    this.#retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
    this.#maxRateLimitRetries = options.maxRateLimitRetries ?? 5;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 120_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isSafeInteger(this.#maxResponseBytes) || this.#maxResponseBytes < 1) {
      throw new TypeError('maxResponseBytes must be a positive whole number.');
    }
    this.#onAttempt = options.onAttempt;
  }

  /** GET a path below the base (`/events/evt_…`). */
  get(path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('GET', path, options);
  }

  /** POST JSON to a path below the base. */
  post(path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('POST', path, options);
  }

  /** One call, with the budget, timeouts, 429 waits and retries. Rejects with `PersonaApiError`. */
  request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.#send(method, this.#url(path, options.query), options.body, options.signal);
  }

  /**
   * Every page of a list, following `links.next` until there is none or a page is empty. Pages may hold
   * fewer items than asked for; only the absence of a next link ends the list. Persona's next link
   * carries only the cursor, so `query` (page size, filters) is sent again on every page: without it
   * Persona falls back to 10 items a page and to no filter.
   *
   * @example
   * for await (const page of client.pages('/events', { 'page[size]': 100 })) handle(page.items);
   */
  async *pages(
    path: string,
    query: Record<string, string | number | undefined> = {},
    signal?: AbortSignal,
  ): AsyncGenerator<ApiPage> {
    let url: URL | null = this.#url(path, query);
    const seen = new Set<string>();
    while (url) {
      seen.add(url.href);
      const response = await this.#send('GET', url, undefined, signal);
      const page = toPage(response, this.#info('GET', url, response.status, response.requestId));
      yield page;
      if (page.items.length === 0) return;
      url = this.#nextUrl(response.json, url);
      if (url) keepQuery(url, query);
      if (url && seen.has(url.href)) {
        throw new PersonaApiError(
          this.#info('GET', url, response.status, response.requestId),
          'pagination_loop',
          `Persona's links.next on GET ${this.#pathOf(url)} points back to a page already read; stopped paging.`,
        );
      }
    }
  }

  /** The path below the base, for messages (never the host, never the query). */
  #pathOf(url: URL): string {
    const base = this.baseUrl.pathname;
    return url.pathname.startsWith(base) ? url.pathname.slice(base.length) || '/' : url.pathname;
  }

  #info(method: string, url: URL, status: number, requestId: string | null): ApiRequestInfo {
    return { method, path: this.#pathOf(url), status, requestId };
  }

  #url(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(this.baseUrl.href + (path.startsWith('/') ? path : `/${path}`));
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /**
   * `links.next`, which Persona gives relative to the host (`/api/v1/events?page%5Bafter%5D=evt_…`).
   * A link to another origin is refused: following it would send the API key there.
   */
  #nextUrl(json: unknown, current: URL): URL | null {
    const links = (json as { links?: { next?: unknown } } | null)?.links;
    const next = links?.next;
    if (typeof next !== 'string' || next.length === 0) return null;
    const url = new URL(next, this.baseUrl.origin);
    if (url.origin !== this.baseUrl.origin) {
      throw new PersonaApiError(
        this.#info('GET', current, 200, null),
        'foreign_link',
        `Persona's links.next points to another host (${url.origin}); refusing to send the API key there.`,
      );
    }
    return url;
  }

  async #send(
    method: string,
    url: URL,
    body: unknown,
    signal: AbortSignal | undefined,
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
      'persona-version': PERSONA_API_VERSION,
      'key-inflection': 'kebab',
      'user-agent': 'persona-webhooks-server',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // One key for every attempt of this call: Persona runs a retried write once.
    if (method !== 'GET') headers['idempotency-key'] = randomUUID();
    const payload = body === undefined ? undefined : JSON.stringify(body);

    const tries: Tries = { retries: 0, rateLimited: 0 };
    for (;;) {
      const slot = await this.budget.take(signal);
      const started = performance.now();
      const attempt = await this.#attempt(method, url, headers, payload, signal).finally(() => slot.done());
      const durationMs = performance.now() - started;
      const info = this.#info(method, url, attempt.status, attempt.requestId);
      const outcome =
        attempt.kind === 'answered'
          ? this.#judgeAnswer(attempt, info, tries)
          : this.#judgeNoAnswer(attempt, info, tries);
      const retryInMs = outcome.kind === 'retry' ? outcome.waitMs : undefined;
      this.#onAttempt?.({ ...info, durationMs, ...(retryInMs === undefined ? {} : { retryInMs }) });
      if (outcome.kind === 'fail') throw outcome.error;
      if (outcome.kind === 'retry') {
        await this.#sleep(outcome.waitMs, signal);
        continue;
      }
      return {
        status: outcome.response.status,
        requestId: attempt.requestId,
        headers: outcome.response.headers,
        text: outcome.text,
        json: parseJson(outcome.text, info),
      };
    }
  }

  /** An attempt without a whole answer: retried after a network error or timeout, never when too large. */
  #judgeNoAnswer(attempt: TooLarge | Failed, info: ApiRequestInfo, tries: Tries): Outcome {
    if (attempt.kind === 'too_large') {
      // Not retried: the same request would get the same answer.
      return failed(
        new PersonaApiError(
          info,
          'response_too_large',
          `Persona API ${info.method} ${info.path} answered ${attempt.status} with more than ${this.#maxResponseBytes} bytes${requestIdSuffix(info.requestId)}, the limit of PERSONA_API_MAX_RESPONSE_BYTES; stopped reading. Is PERSONA_API_URL right?`,
        ),
      );
    }
    if (tries.retries < this.#maxRetries) {
      return { kind: 'retry', waitMs: backoffDelayMs(tries.retries++, this.#retryBaseDelayMs) };
    }
    return failed(
      new PersonaApiError(
        info,
        attempt.timedOut ? 'timeout' : 'network_error',
        `Persona API ${info.method} ${info.path} ${attempt.timedOut ? `timed out after ${this.#timeoutMs} ms` : `failed: ${attempt.reason}`} (${tries.retries + 1} attempts). Check PERSONA_API_URL (${this.baseUrl.origin}) and the network.`,
      ),
    );
  }

  /** An answer: 2xx is the result; 429 waits as Persona asks; 5xx is retried with back-off; the rest fail. */
  #judgeAnswer(attempt: Answered, info: ApiRequestInfo, tries: Tries): Outcome {
    const { response, text } = attempt;
    if (response.status >= 200 && response.status < 300) return { kind: 'answer', response, text };
    if (response.status === 429) {
      const wait = rateLimitWaitMs(response.headers, tries.rateLimited);
      if (tries.rateLimited < this.#maxRateLimitRetries && wait <= this.#maxRateLimitWaitMs) {
        tries.rateLimited++;
        return { kind: 'retry', waitMs: wait };
      }
      return failed(
        new PersonaApiError(
          info,
          'rate_limited',
          `Persona API ${info.method} ${info.path} is rate limited (429${requestIdSuffix(info.requestId)}) and asks to wait ${Math.ceil(wait / 1000)} s; gave up after ${tries.rateLimited + 1} attempts. Lower PERSONA_API_MAX_REQUESTS_PER_MINUTE or raise the environment's limit in Persona Dashboard → API → Rate Limits.`,
        ),
      );
    }
    if (response.status === 401 || response.status === 403) {
      return failed(new PersonaApiAuthError(info, permissionFor(info.method, info.path)));
    }
    if (isRetryableStatus(response.status) && tries.retries < this.#maxRetries) {
      const retryAfter = response.headers.get('retry-after');
      const wait =
        retryAfter !== null && /^\d+$/.test(retryAfter)
          ? Math.min(Number(retryAfter) * 1000, 60_000)
          : backoffDelayMs(tries.retries, this.#retryBaseDelayMs);
      tries.retries++;
      return { kind: 'retry', waitMs: wait };
    }
    return failed(
      new PersonaApiError(
        info,
        response.status === 404 ? 'not_found' : response.status >= 500 ? 'server_error' : 'client_error',
        `Persona API ${info.method} ${info.path} answered ${response.status}${personaErrorText(text)}${requestIdSuffix(info.requestId)}${response.status >= 500 ? ` after ${tries.retries + 1} attempts` : ''}.`,
      ),
    );
  }

  async #attempt(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Answered | TooLarge | Failed> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.#fetch(url, { method, headers, body, signal: combined, redirect: 'error' });
      const requestId = response.headers.get('request-id');
      // The body is read under the same deadline (a server that stalls mid-answer is a timeout too) and
      // with a size limit.
      let text: string;
      try {
        text = await readCappedText(response, this.#maxResponseBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError)
          return { kind: 'too_large', status: response.status, requestId };
        throw error;
      }
      return {
        kind: 'answered',
        status: response.status,
        requestId,
        response,
        text,
      };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return {
        kind: 'failed',
        status: 0,
        requestId: null,
        timedOut: timeout.aborted,
        reason: cause?.code ?? cause?.message ?? (error as Error).message,
      };
    }
  }
}

/** One attempt: a whole answer, an answer over the size limit, or none (network error, timeout). */
type Answered = {
  kind: 'answered';
  status: number;
  requestId: string | null;
  response: Response;
  text: string;
};
type TooLarge = { kind: 'too_large'; status: number; requestId: string | null };
type Failed = { kind: 'failed'; status: 0; requestId: null; timedOut: boolean; reason: string };

/** What one attempt calls for: wait and try again, hand back the answer, or fail the call. */
type Outcome =
  | { kind: 'retry'; waitMs: number }
  | { kind: 'answer'; response: Response; text: string }
  | { kind: 'fail'; error: PersonaApiError };

/** One call's retries so far: after network errors, timeouts and 5xx; and after 429s, counted apart. */
interface Tries {
  retries: number;
  rateLimited: number;
}

function failed(error: PersonaApiError): Outcome {
  return { kind: 'fail', error };
}

/** Cursor parameters: the next link's own are the ones to follow, never the first page's. */
const CURSOR_PARAMETERS = new Set(['page[after]', 'page[before]']);

/** Adds to a next link every parameter of the first request it lacks (a link's own values win). */
function keepQuery(url: URL, query: Record<string, string | number | undefined>): void {
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && !CURSOR_PARAMETERS.has(key) && !url.searchParams.has(key)) {
      url.searchParams.set(key, String(value));
    }
  }
}

function parseJson(text: string, info: ApiRequestInfo): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new PersonaApiError(
      info,
      'invalid_response',
      `Persona API ${info.method} ${info.path} answered ${info.status} with a body that is not JSON${requestIdSuffix(info.requestId)}. Is PERSONA_API_URL right?`,
    );
  }
}

function toPage(response: ApiResponse, info: ApiRequestInfo): ApiPage {
  const rawItems = rawArrayElements(response.text, 'data');
  if (rawItems === null) {
    throw new PersonaApiError(
      info,
      'invalid_response',
      `Persona API GET ${info.path} answered without a data list${requestIdSuffix(info.requestId)}.`,
    );
  }
  return { response, rawItems, items: (response.json as { data: unknown[] }).data };
}

/** Persona's `{"errors":[{"title","details"}]}`, as `: title — details` (short), or nothing. */
function personaErrorText(text: string): string {
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ title?: unknown; details?: unknown }> })
      .errors?.[0];
    const parts = [first?.title, first?.details].filter(
      (part) => typeof part === 'string' && part.length > 0,
    );
    return parts.length > 0 ? `: ${parts.join(' — ').slice(0, 300)}` : '';
  } catch {
    return '';
  }
}
