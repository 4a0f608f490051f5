/**
 * Decides users on PostgreSQL after their facts commit. A completion only leaves marks (`kyc_dirty`:
 * `r:` a user; `i:`, `a:`, `t:`, `p:`, `c:` an inquiry, account, transaction, report or case whose facts
 * or links changed) in the commit of its facts; a decide pass then, in one
 * transaction, takes up to a batch of marks (`FOR UPDATE SKIP LOCKED`, so instances share the work),
 * turns them into users through the links committed by then, locks those users (advisory, sorted: two
 * passes never decide one user at once), reads their facts, runs the policy, writes each changed
 * decision with its outbox messages, and deletes the marks. A completion waits for a pass that started
 * after its commit without waiting for it (a pass is shared by the completions that arrive meanwhile,
 * which is what makes this fast); reads of decisions and outbox messages wait for the passes under way,
 * so once `complete` resolved, this instance answers with the users it concerns decided.
 *
 * Why it converges under concurrency: every fact or link change commits a mark, and a mark is only
 * turned into users after that commit. A case of account A committed before the inquiry that links A to
 * user R: its `c:` mark finds no user yet, but the inquiry's own marks, committed with the link, are
 * processed later and read the case. Of two changes committed at once, whichever mark is taken last
 * sees both. Marks whose pass fails stay, and the next pass takes them.
 */
import type { KycPolicy } from '../../kyc/decision.js';
import type { PostgresOutbox } from '../outbox/postgres-outbox.js';
import { BEGIN_ASYNC_COMMIT } from '../postgres/async-commit.js';
import type { Connections } from '../postgres/connections.js';
import type { Tables } from '../postgres/tables.js';
import { splitMarks } from './kyc-decisions.js';
import { decisionStatements } from './postgres-decisions.js';

/** Marks taken by one pass. */
const PASS_SIZE = 500;

export interface Decider {
  /**
   * Resolves after a pass that started after this call has run (errors leave the marks for later).
   * `nowMs` is the caller's clock (the worker's), which the pass records changes at.
   */
  settle(nowMs: number): Promise<void>;
  /**
   * Resolves once the passes queued or running now have ended: reads of decisions and messages wait
   * for it, so an event's decision is visible once its `complete` resolved.
   */
  idle(): Promise<void>;
  /**
   * The upsert of a completion's marks, with the caller's parameters: `marks` (text[]) and `eventId`
   * (e.g. `$1`, `$2`).
   */
  markSql(marks: string, eventId: string): string;
  /** The same upsert of marks from `rowsSql`, a SELECT of (key, event id) rows without repeated keys. */
  markRowsSql(rowsSql: string): string;
}

export function createDecider(
  connections: Connections,
  t: Tables,
  policy: KycPolicy,
  recordMany: PostgresOutbox['recordMany'],
  committed: () => void,
): Decider {
  const statements = decisionStatements(t);
  const take = `SELECT key, event_id FROM ${t.kycDirty} ORDER BY key LIMIT ${PASS_SIZE} FOR UPDATE SKIP LOCKED`;
  const release = `DELETE FROM ${t.kycDirty} WHERE key = ANY($1::text[])`;

  /** One pass; resolves with how many marks it took. */
  // Committed without waiting for the WAL flush, like every worker write: a pass lost in a crash
  // leaves its marks, so the users are decided (and their messages written) again.
  const pass = (nowMs: number) =>
    connections.transaction(async (tx) => {
      const rows = (await tx.query(take)).rows as { key: string; event_id: string | null }[];
      if (rows.length === 0) return 0;
      const taken = rows.map((row) => row.key);
      // The event that marked a user directly is the one that changed their decision; a user reached
      // only through an account or inquiry gets the event that marked that.
      const causes = new Map(rows.map((row) => [row.key.slice(2), row.event_id]));
      const { references, objects } = splitMarks(taken);
      const found = await statements.concernedUsers(tx, objects);
      const referenceIds = [...new Set([...references, ...found])].sort();
      await statements.lockIds(tx, referenceIds);
      const anyCause = rows.find((row) => row.event_id !== null)?.event_id ?? null;
      await statements.decideMany(
        tx,
        policy,
        referenceIds,
        (referenceId) => causes.get(referenceId) ?? anyCause,
        nowMs,
        recordMany,
      );
      await tx.query(release, [taken]);
      return taken.length;
    }, BEGIN_ASYNC_COMMIT);

  let queued: Promise<void> | null = null;
  let chain: Promise<void> = Promise.resolve();
  // The newest clock a caller of the queued pass gave.
  let queuedNowMs = 0;
  const markRowsSql = (rowsSql: string) => `INSERT INTO ${t.kycDirty} (key, event_id) ${rowsSql}
      ON CONFLICT (key) DO UPDATE SET seq = ${t.kycDirty}.seq + 1, event_id = EXCLUDED.event_id`;
  return {
    markRowsSql,
    markSql: (marks, eventId) =>
      markRowsSql(`SELECT DISTINCT k, ${eventId}::text FROM unnest(${marks}::text[]) AS k`),
    settle(nowMs) {
      queuedNowMs = Math.max(queuedNowMs, nowMs);
      queued ??= chain.then(async () => {
        queued = null;
        const passNowMs = queuedNowMs;
        queuedNowMs = 0;
        while ((await pass(passNowMs)) === PASS_SIZE) {}
        committed();
      });
      const run = queued;
      chain = run.catch(() => {});
      return run;
    },
    idle: () => chain,
  };
}
