/**
 * Test helpers shared by the worker and KYC tests: a real SQLite store in a fresh temp directory, and
 * ingesting a built event the way the pipeline does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvelope } from '../../packages/persona-webhooks/src/events/parse-envelope.js';
import type { BuiltEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { IngestOutcome } from '../../packages/persona-webhooks/src/store/inbox/inbox.js';
import { toInboxEvent } from '../../packages/persona-webhooks/src/store/inbox/inbox-event.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';

export interface TempStore {
  store: Store;
  /** Closes the store (if still open) and deletes the directory. */
  dispose(): Promise<void>;
}

/**
 * A migrated SQLite store in its own temp directory, or in memory (`memory: true`) for property tests
 * that open hundreds of stores and do not test durability.
 */
export async function openTempStore(options: { memory?: boolean } = {}): Promise<TempStore> {
  if (options.memory) {
    const store = createSqliteFileStore(':memory:');
    await store.migrate();
    return { store, dispose: () => store.close().catch(() => {}) };
  }
  const dir = mkdtempSync(join(tmpdir(), 'persona-worker-'));
  const store = createSqliteFileStore(join(dir, 'events.db'));
  await store.migrate();
  return {
    store,
    async dispose() {
      await store.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Ingests a built event exactly as the pipeline would after verifying its signature. */
export function ingestBuilt(
  store: Store,
  built: BuiltEvent,
  receivedAtMs = Date.now(),
): Promise<IngestOutcome> {
  const body = new TextEncoder().encode(built.body);
  const parsed = parseEnvelope(body);
  if (!parsed.ok) throw new Error(`test event's envelope does not parse: ${parsed.reason}`);
  return store.ingest(
    toInboxEvent(parsed.envelope, body, {
      attemptsMade: 1,
      attemptsLeft: 7,
      firstAttemptedAtMs: receivedAtMs,
      receivedAtMs,
    }),
  );
}

/** A manually advanced clock for retry and lease tests. */
export function manualClock(startMs = Date.parse('2024-03-01T00:00:00Z')) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}
