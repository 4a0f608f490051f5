/**
 * Rebuilds the SQLite KYC facts of events stored before version 6, one batch per IMMEDIATE
 * transaction; see `../kyc-rebuild.ts`.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import { kycFactStatements, PLAIN_KYC_TABLES } from '../kyc-facts-sql.js';
import {
  REBUILD_BATCH_SIZE,
  type RebuildProgress,
  rebuildEventsCondition,
  rebuildUpdates,
} from '../kyc-rebuild.js';
import { decideSqliteUsers, type RecordSqliteChanges } from './decisions.js';
import type { SqliteDatabase } from './driver.js';
import { applyProjectionUpdates } from './projection-sql.js';
import type { PrepareCached } from './statement-cache.js';

const FACTS = kycFactStatements(PLAIN_KYC_TABLES);
const CURSOR_SQL = 'SELECT after_created_at_ms, after_id FROM kyc_rebuild WHERE id = 1';
const MOVE_CURSOR_SQL = 'UPDATE kyc_rebuild SET after_created_at_ms = ?, after_id = ? WHERE id = 1';
const COUNT_SQL = `SELECT count(*) AS n FROM events e JOIN event_bodies b ON b.event_id = e.id
WHERE ${rebuildEventsCondition('e')}
  AND (e.created_at_ms, e.id) > (@after_ms, @after_id)`;
const BATCH_SQL = `SELECT e.id, e.created_at_ms, b.body FROM events e
JOIN event_bodies b ON b.event_id = e.id
WHERE ${rebuildEventsCondition('e')}
  AND (e.created_at_ms, e.id) > (@after_ms, @after_id)
ORDER BY e.created_at_ms, e.id LIMIT @limit`;

interface Cursor {
  after_created_at_ms: number;
  after_id: string;
}

/** Runs one step of a pending rebuild; resolves false when none is pending (or it just finished). */
export async function rebuildSqliteKycFacts(
  run: <T>(work: (db: SqliteDatabase, prepare: PrepareCached) => T) => Promise<T>,
  policy: KycPolicy,
  record: RecordSqliteChanges,
  onProgress: ((progress: RebuildProgress) => void) | undefined,
): Promise<void> {
  const start = await run((_db, prepare) => prepare(CURSOR_SQL).get() as Cursor | undefined);
  if (start === undefined) return;
  const total = await run(
    (_db, prepare) =>
      (
        prepare(COUNT_SQL).get({ after_ms: start.after_created_at_ms, after_id: start.after_id }) as {
          n: number;
        }
      ).n,
  );
  let done = 0;
  onProgress?.({ phase: 'facts', done, total });
  for (;;) {
    const moved = await run((db, prepare) =>
      db
        .transaction(() => {
          const cursor = prepare(CURSOR_SQL).get() as Cursor | undefined;
          if (cursor === undefined) return 0;
          const rows = prepare(BATCH_SQL).all({
            after_ms: cursor.after_created_at_ms,
            after_id: cursor.after_id,
            limit: REBUILD_BATCH_SIZE,
          }) as { id: string; created_at_ms: number; body: Uint8Array | null }[];
          const now = Date.now();
          for (const row of rows) applyProjectionUpdates(prepare, rebuildUpdates(row.body), now);
          const last = rows.at(-1);
          if (last) prepare(MOVE_CURSOR_SQL).run(last.created_at_ms, last.id);
          return rows.length;
        })
        .immediate(),
    );
    done += moved;
    onProgress?.({ phase: 'facts', done: Math.min(done, total), total });
    if (moved < REBUILD_BATCH_SIZE) break;
    await yieldToEventLoop();
  }
  const references = await run((_db, prepare) =>
    (prepare(FACTS.allReferences).all() as { reference_id: string }[]).map((r) => r.reference_id),
  );
  onProgress?.({ phase: 'decisions', done: 0, total: references.length });
  for (let i = 0; i < references.length; i += REBUILD_BATCH_SIZE) {
    const batch = references.slice(i, i + REBUILD_BATCH_SIZE);
    await run((db, prepare) =>
      db
        .transaction(() => {
          decideSqliteUsers(prepare, policy, new Map(batch.map((id) => [id, null])), Date.now(), record);
        })
        .immediate(),
    );
    onProgress?.({
      phase: 'decisions',
      done: Math.min(i + batch.length, references.length),
      total: references.length,
    });
    await yieldToEventLoop();
  }
  await run((_db, prepare) => prepare('DELETE FROM kyc_rebuild WHERE id = 1').run());
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
