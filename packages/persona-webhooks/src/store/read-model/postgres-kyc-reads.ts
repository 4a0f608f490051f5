/**
 * The KYC reads of the PostgreSQL read model: one user's view and facts, the count of each decision,
 * and the list of users by their decision's change, as SQLite's (`sqlite-kyc-reads.ts`).
 */

import type { KycPolicy } from '../../kyc/decision.js';
import { decisionSql } from '../decisions/decision-sql.js';
import { decisionCounts, decisionFromRow } from '../decisions/kyc-decisions.js';
import { decisionStatements } from '../decisions/postgres-decisions.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import type { Tables } from '../postgres/tables.js';
import { kycListStatement, NEWEST_INQUIRY_FIRST } from './kyc-list-sql.js';
import { inquiryRow, type SelectRows } from './postgres-read-rows.js';
import type { ReadModel } from './read-model.js';
import { INQUIRY_COLUMNS, toKycPage, toKycView } from './row-views.js';

/** The reads of users' KYC state. */
export type PostgresKycReads = Pick<ReadModel, 'getKyc' | 'getKycFacts' | 'countDecisions' | 'listKyc'>;

/** Builds the KYC reads of one schema's tables; `policy` decides a user with no stored decision. */
export function createPostgresKycReads(
  connections: Connections,
  select: SelectRows,
  t: Tables,
  policy: KycPolicy,
): PostgresKycReads {
  const decisions = decisionStatements(t);
  const countDecisionsSql = decisionSql(t).countDecisions;
  const userInquiriesSql = `SELECT ${INQUIRY_COLUMNS} FROM ${t.inquiries} WHERE reference_id = $1 ORDER BY ${NEWEST_INQUIRY_FIRST}`;

  return {
    async getKyc(referenceId) {
      const rows = await select(userInquiriesSql, [referenceId]);
      const [facts, stored] = await connections.use((client) =>
        Promise.all([decisions.readFacts(client, referenceId), decisions.readDecision(client, referenceId)]),
      );
      return toKycView(
        referenceId,
        rows.map(inquiryRow),
        facts,
        stored ? decisionFromRow(stored) : policy(facts),
      );
    },

    getKycFacts: (referenceId) => connections.use((client) => decisions.readFacts(client, referenceId)),

    async countDecisions() {
      const rows = await select(countDecisionsSql);
      return decisionCounts(rows.map((row) => ({ decision: row.text('decision'), n: row.int('n') })));
    },

    async listKyc(query) {
      const { sql, params, limit } = kycListStatement(t, query);
      const statement = positional(sql);
      const rows = await select(statement.text, statement.values(params));
      return toKycPage(
        rows.map((row) => ({
          reference_id: row.text('reference_id'),
          decision: row.text('decision'),
          reasons: row.text('reasons'),
          updated_at_ms: row.int('updated_at_ms'),
          event_id: row.textOrNull('event_id'),
          inquiry_id: row.textOrNull('inquiry_id'),
          status: row.textOrNull('status'),
        })),
        limit,
      );
    },
  };
}
