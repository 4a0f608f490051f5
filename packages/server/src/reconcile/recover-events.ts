/**
 * Recovery: page Persona's Events API newest first, from `untilMs` back to `sinceMs`, and put every
 * event the inbox lacks through the same ingest path as a webhook (dedupe on the `evt_` id, quarantine
 * of what does not parse), marked `source: "api"`. Shared by the service's reconciliation and the
 * `backfill` command; running it twice stores nothing the second time.
 */
import { ingestBody, parseEvent, type Store } from 'persona-webhooks';
import type { PersonaApiClient } from '../persona-api/client.js';
import { type ApiEvent, listEventPages } from '../persona-api/events-api.js';

/** What happened to one event in the window. */
export type RecoveredOutcome = 'stored' | 'duplicate' | 'quarantined' | 'would-store';

export interface RecoverOptions {
  client: PersonaApiClient;
  store: Pick<Store, 'ingest' | 'quarantine' | 'getEvent'>;
  /** Oldest created-at to recover (inclusive). */
  sinceMs: number;
  /** Newest created-at to recover (inclusive). Default: no limit. */
  untilMs?: number;
  /** Only these event names (one listing per name). Default: every event. */
  names?: readonly string[];
  /** Count what would be stored, store nothing. */
  dryRun?: boolean;
  /** Items asked for per page. Default 100. */
  pageSize?: number;
  signal?: AbortSignal;
  /** Called for each event in the window, after it was handled. */
  onEvent?: (event: ApiEvent, outcome: RecoveredOutcome) => void;
  /** Called after each page with the oldest created-at seen so far (for progress). */
  onPage?: (progress: { fetched: number; oldestCreatedAtMs: number | null }) => void;
  /** Awaited before each further page (e.g. to renew a lease); throwing stops the run. */
  beforeNextPage?: () => Promise<void>;
  now?: () => number;
}

export interface RecoverSummary {
  /** Events in the window that the API returned. */
  fetched: number;
  /** Stored now (or, in a dry run, that would be). */
  stored: number;
  /** Already in the inbox. */
  alreadyStored: number;
  /** Not valid Persona events: kept as dead. */
  quarantined: number;
  /** API pages read. */
  pages: number;
}

const encoder = new TextEncoder();

export async function recoverEvents(options: RecoverOptions): Promise<RecoverSummary> {
  const summary: RecoverSummary = { fetched: 0, stored: 0, alreadyStored: 0, quarantined: 0, pages: 0 };
  const now = options.now ?? Date.now;
  let oldest: number | null = null;
  for (const name of options.names && options.names.length > 0 ? options.names : [undefined]) {
    for await (const page of listEventPages(options.client, {
      pageSize: options.pageSize ?? 100,
      ...(name ? { name } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      summary.pages++;
      let reachedSince = false;
      const inWindow: ApiEvent[] = [];
      for (const event of page) {
        const at = event.createdAtMs;
        if (at !== null && at < options.sinceMs) {
          reachedSince = true;
          continue;
        }
        if (at !== null && options.untilMs !== undefined && at > options.untilMs) continue;
        if (at !== null) oldest = oldest === null ? at : Math.min(oldest, at);
        inWindow.push(event);
      }
      // A page's events are ingested together: the store group-commits them in one transaction.
      const receivedAtMs = now();
      const outcomes = await Promise.all(inWindow.map((event) => recoverOne(options, event, receivedAtMs)));
      inWindow.forEach((event, i) => {
        const outcome = outcomes[i]!;
        summary.fetched++;
        if (outcome === 'stored' || outcome === 'would-store') summary.stored++;
        else if (outcome === 'duplicate') summary.alreadyStored++;
        else summary.quarantined++;
        options.onEvent?.(event, outcome);
      });
      options.onPage?.({ fetched: summary.fetched, oldestCreatedAtMs: oldest });
      // Newest first: once a page reaches past `since`, every later page is older still.
      if (reachedSince) break;
      await options.beforeNextPage?.();
    }
  }
  return summary;
}

async function recoverOne(
  options: RecoverOptions,
  event: ApiEvent,
  receivedAtMs: number,
): Promise<RecoveredOutcome> {
  const body = encoder.encode(event.body);
  if (options.dryRun) {
    const parsed = parseEvent(body);
    if (!parsed.ok) return 'quarantined';
    return (await options.store.getEvent(parsed.event.id)) ? 'duplicate' : 'would-store';
  }
  const result = await ingestBody(options.store, body, {
    attemptsMade: null,
    attemptsLeft: null,
    firstAttemptedAtMs: null,
    receivedAtMs,
    source: 'api',
  });
  // A body already quarantined by an earlier run is already stored, like any duplicate.
  if (result.outcome === 'quarantined') return result.duplicate ? 'duplicate' : 'quarantined';
  return result.outcome;
}
