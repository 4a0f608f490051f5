/**
 * Keeps each user's decision in SQLite, inside the transaction that completes an event: the users its
 * updates concern are found through the facts just written, their facts read back and the policy run;
 * a changed decision is written in the same transaction. SQLite has one writer at a time, so no two
 * completions can each miss the other's facts.
 */
import type { KycDecision, KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import {
  type DecisionKey,
  type DecisionRow,
  decisionChanged,
  decisionKeys,
  decisionParams,
  type FactRow,
  factObjectIds,
  factsFromRows,
  hasFacts,
  toDecisionChange,
} from '../kyc-decisions.js';
import { kycFactStatements, PLAIN_KYC_TABLES } from '../kyc-facts-sql.js';
import type { PrepareCached } from './statement-cache.js';

const FACTS = kycFactStatements(PLAIN_KYC_TABLES);

/** Every fact of one user. */
export function readSqliteFacts(prepare: PrepareCached, referenceId: string): KycFacts {
  return factsFromRows(referenceId, prepare(FACTS.userFacts).all({ reference_id: referenceId }) as FactRow[]);
}

/** The stored decision of one user, if any. */
export function readSqliteDecision(prepare: PrepareCached, referenceId: string): DecisionRow | undefined {
  return prepare(FACTS.getDecision).get({ reference_id: referenceId }) as DecisionRow | undefined;
}

/** Hears each decision change inside its transaction (the outbox, the user's hook). */
export type RecordSqliteChange = (change: DecisionChange) => void;

/** Recomputes and stores one user's decision; a change is recorded in the same transaction. */
export function refreshSqliteDecision(
  prepare: PrepareCached,
  policy: KycPolicy,
  referenceId: string,
  eventId: string | null,
  nowMs: number,
  record: RecordSqliteChange,
): void {
  const facts = readSqliteFacts(prepare, referenceId);
  if (!hasFacts(facts)) return;
  const next: KycDecision = policy(facts);
  const stored = readSqliteDecision(prepare, referenceId);
  if (!decisionChanged(stored, next)) return;
  prepare(FACTS.upsertDecision).run(decisionParams(referenceId, next, eventId, nowMs));
  record(toDecisionChange(facts, stored, next, eventId, nowMs));
}

/** After `updates` were applied: refreshes the decision of every user they concern. */
export function refreshSqliteDecisions(
  prepare: PrepareCached,
  policy: KycPolicy,
  updates: readonly ProjectionUpdate[],
  eventId: string,
  nowMs: number,
  record: RecordSqliteChange,
): void {
  const references = new Set<string>();
  const keys: DecisionKey[] = decisionKeys(updates);
  for (const id of factObjectIds(updates))
    keys.push(...(prepare(FACTS.factIdentity).all({ id }) as DecisionKey[]));
  for (const key of keys) {
    for (const row of prepare(FACTS.affectedReferences).all(key) as { reference_id: string }[]) {
      references.add(row.reference_id);
    }
  }
  for (const referenceId of references)
    refreshSqliteDecision(prepare, policy, referenceId, eventId, nowMs, record);
}
