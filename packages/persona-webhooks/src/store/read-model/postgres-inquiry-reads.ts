/** The inquiry and verification reads of the PostgreSQL read model, as SQLite's (`sqlite-inquiry-reads.ts`). */

import type { Tables } from '../postgres/tables.js';
import { inquiryRow, type SelectRows, verificationRow } from './postgres-read-rows.js';
import type { ReadModel } from './read-model.js';
import { INQUIRY_COLUMNS, toInquiryView, toVerificationView, VERIFICATION_COLUMNS } from './row-views.js';

/** The reads of inquiries and their verifications. */
export type PostgresInquiryReads = Pick<ReadModel, 'getInquiry' | 'getVerification' | 'listVerifications'>;

/** Builds the inquiry and verification reads of one schema's tables; their SQL is rendered once, here. */
export function createPostgresInquiryReads(select: SelectRows, t: Tables): PostgresInquiryReads {
  const getInquirySql = `SELECT ${INQUIRY_COLUMNS} FROM ${t.inquiries} WHERE inquiry_id = $1`;
  const getVerificationSql = `SELECT ${VERIFICATION_COLUMNS} FROM ${t.verifications} WHERE verification_id = $1`;
  const listVerificationsSql = `SELECT ${VERIFICATION_COLUMNS} FROM ${t.verifications} WHERE inquiry_id = ANY($1::text[])
    ORDER BY inquiry_id, status_at_ms, verification_id`;

  return {
    async getInquiry(inquiryId) {
      const [row] = await select(getInquirySql, [inquiryId]);
      return row ? toInquiryView(inquiryRow(row)) : null;
    },

    async getVerification(verificationId) {
      const [row] = await select(getVerificationSql, [verificationId]);
      return row ? toVerificationView(verificationRow(row)) : null;
    },

    async listVerifications(inquiryIds) {
      if (inquiryIds.length === 0) return [];
      const rows = await select(listVerificationsSql, [inquiryIds]);
      return rows.map((row) => toVerificationView(verificationRow(row)));
    },
  };
}
