/**
 * Which of the events behind failed deliveries are already in this receiver's inbox. Reconciliation
 * (and `backfill`) recover what Persona gave up delivering through its Events API: once they have, a
 * failed delivery is history, not a hole, and `doctor` says so instead of staying red.
 */
import type { Store } from 'persona-webhooks';

/** One stored event, as the deliveries check needs it. */
export interface StoredEventInfo {
  /** `api`: recovered through Persona's Events API; `webhook`: delivered after all. */
  source: 'webhook' | 'api';
  /** When this receiver stored it (epoch ms). */
  receivedAtMs: number;
}

/** Looks events up by id; ids it does not hold are absent from the map. */
export type StoredEventLookup = (ids: readonly string[]) => Promise<ReadonlyMap<string, StoredEventInfo>>;

/** What the inbox says about the failed deliveries' events, or why it could not be asked. */
export type InboxAnswer = { found: ReadonlyMap<string, StoredEventInfo> } | { unavailable: string };

/** A lookup over an open store: one `getEvent` per id (a few dozen at most: one page of deliveries). */
export async function findStoredEvents(
  store: Store,
  ids: readonly string[],
): Promise<Map<string, StoredEventInfo>> {
  const found = new Map<string, StoredEventInfo>();
  for (const id of new Set(ids)) {
    const event = await store.getEvent(id);
    if (event) found.set(id, { source: event.source, receivedAtMs: event.receivedAtMs });
  }
  return found;
}
