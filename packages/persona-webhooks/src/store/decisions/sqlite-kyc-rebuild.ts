/**
 * Rebuilds the SQLite KYC facts of stored events after an upgrade that added facts (versions 6 and 10),
 * one batch per IMMEDIATE transaction, and decides users again when the policy changed; see
 * `kyc-rebuild.ts`.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import { policyFingerprint } from '../../kyc/policy-fingerprint.js';
import { PLAIN_KYC_TABLES } from '../facts/kyc-tables.js';
import { applyProjectionUpdates } from '../facts/sqlite-apply-updates.js';
import type { SqliteDatabase } from '../sqlite/driver.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import { decisionSql } from './decision-sql.js';
import {
  type PolicyState,
  REBUILD_BATCH_SIZE,
  REDECIDE_BATCH_SIZE,
  type RebuildProgress,
  rebuildEventsCondition,
  rebuildUpdates,
  redecideStart,
} from './kyc-rebuild.js';
import { decideSqliteUsers, type RecordSqliteChanges } from './sqlite-decisions.js';

const DECISIONS = decisionSql(PLAIN_KYC_TABLES);
const POLICY_STATE_SQL =
  'SELECT fingerprint, redecide_fingerprint, redecide_after FROM kyc_policy WHERE id = 1';
const BEGIN_REDECIDE_SQL = 'UPDATE kyc_policy SET redecide_fingerprint = ?, redecide_after = ? WHERE id = 1';
const MOVE_REDECIDE_SQL = 'UPDATE kyc_policy SET redecide_after = ? WHERE id = 1';
const FINISH_REDECIDE_SQL = `UPDATE kyc_policy SET fingerprint = ?, redecide_fingerprint = NULL, redecide_after = ''
WHERE id = 1`;
const ALL_REFERENCES = `SELECT reference_id FROM inquiries WHERE reference_id IS NOT NULL
UNION SELECT reference_id FROM accounts WHERE reference_id IS NOT NULL
UNION SELECT reference_id FROM transactions WHERE reference_id IS NOT NULL`;
const COUNT_REFERENCES_SQL = `SELECT count(*) AS n FROM (${ALL_REFERENCES})`;
const COUNT_REFERENCES_BEFORE_SQL = `SELECT count(*) AS n FROM (${ALL_REFERENCES}) WHERE reference_id <= @after`;
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

/** Finishes a pending rebuild of facts, if any (the decisions follow in `redecideSqliteUsers`). */
export async function rebuildSqliteKycFacts(
  run: <T>(work: (db: SqliteDatabase, prepare: PrepareCached) => T) => Promise<T>,
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
  await run((_db, prepare) => prepare('DELETE FROM kyc_rebuild WHERE id = 1').run());
}

/**
 * Decides every user again when the policy in force is not the one their decisions were made under
 * (or when `force`), a batch per IMMEDIATE transaction, each moving a stored cursor so a pass cut short
 * resumes where it stopped. Changed decisions reach the outbox like any other.
 */
export async function redecideSqliteUsers(
  run: <T>(work: (db: SqliteDatabase, prepare: PrepareCached) => T) => Promise<T>,
  policy: KycPolicy,
  record: RecordSqliteChanges,
  onProgress: ((progress: RebuildProgress) => void) | undefined,
  force: boolean,
): Promise<void> {
  const fingerprint = policyFingerprint(policy);
  const state = await run((_db, prepare) => prepare(POLICY_STATE_SQL).get() as PolicyState);
  const start = redecideStart(state, fingerprint, force);
  if (start === null) return;
  await run((_db, prepare) => prepare(BEGIN_REDECIDE_SQL).run(fingerprint, start));
  const total = await run((_db, prepare) => (prepare(COUNT_REFERENCES_SQL).get() as { n: number }).n);
  let done = await run(
    (_db, prepare) => (prepare(COUNT_REFERENCES_BEFORE_SQL).get({ after: start }) as { n: number }).n,
  );
  onProgress?.({ phase: 'decisions', done, total });
  for (;;) {
    const decided = await run((db, prepare) =>
      db
        .transaction(() => {
          const { redecide_after: after } = prepare(POLICY_STATE_SQL).get() as PolicyState;
          const batch = (
            prepare(DECISIONS.referencesAfter).all({ after, limit: REDECIDE_BATCH_SIZE }) as {
              reference_id: string;
            }[]
          ).map((row) => row.reference_id);
          decideSqliteUsers(prepare, policy, new Map(batch.map((id) => [id, null])), Date.now(), record);
          if (batch.length < REDECIDE_BATCH_SIZE) prepare(FINISH_REDECIDE_SQL).run(fingerprint);
          else prepare(MOVE_REDECIDE_SQL).run(batch.at(-1));
          return batch.length;
        })
        .immediate(),
    );
    done += decided;
    onProgress?.({ phase: 'decisions', done: Math.min(done, total), total });
    if (decided < REDECIDE_BATCH_SIZE) break;
    await yieldToEventLoop();
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
