/**
 * The KYC reads of the SQLite read model: one user's view and facts, the count of each decision, and
 * the list of users by their decision's change.
 */

import type { KycPolicy } from '../../kyc/decision.js';
import { decisionSql } from '../decisions/decision-sql.js';
import { decisionCounts, decisionFromRow } from '../decisions/kyc-decisions.js';
import { readSqliteDecision, readSqliteFacts } from '../decisions/sqlite-decisions.js';
import { PLAIN_KYC_TABLES } from '../facts/kyc-tables.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import { kycListStatement, NEWEST_INQUIRY_FIRST } from './kyc-list-sql.js';
import type { ReadModel } from './read-model.js';
import { INQUIRY_COLUMNS, type InquiryRow, type KycSummaryRow, toKycPage, toKycView } from './row-views.js';

/** The reads of users' KYC state. */
export type SqliteKycReads = Pick<
  Synchronous<ReadModel>,
  'getKyc' | 'getKycFacts' | 'countDecisions' | 'listKyc'
>;

const DECISIONS = decisionSql(PLAIN_KYC_TABLES);
const USER_INQUIRIES_SQL = `SELECT ${INQUIRY_COLUMNS} FROM inquiries WHERE reference_id = ?
ORDER BY ${NEWEST_INQUIRY_FIRST}`;

/** Builds the KYC reads over a migrated connection; `policy` decides a user with no stored decision. */
export function createSqliteKycReads(prepare: PrepareCached, policy: KycPolicy): SqliteKycReads {
  return {
    getKyc(referenceId) {
      const rows = prepare(USER_INQUIRIES_SQL).all(referenceId) as InquiryRow[];
      const facts = readSqliteFacts(prepare, referenceId);
      const stored = readSqliteDecision(prepare, referenceId);
      return toKycView(referenceId, rows, facts, stored ? decisionFromRow(stored) : policy(facts));
    },

    getKycFacts: (referenceId) => readSqliteFacts(prepare, referenceId),

    countDecisions: () =>
      decisionCounts(prepare(DECISIONS.countDecisions).all() as { decision: string; n: number }[]),

    listKyc(query) {
      const { sql, params, limit } = kycListStatement(PLAIN_KYC_TABLES, query);
      return toKycPage(prepare(sql).all(params) as KycSummaryRow[], limit);
    },
  };
}
