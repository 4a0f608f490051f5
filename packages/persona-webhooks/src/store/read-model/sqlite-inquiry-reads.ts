/** The inquiry and verification reads of the SQLite read model. */

import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import type { ReadModel } from './read-model.js';
import {
  INQUIRY_COLUMNS,
  type InquiryRow,
  toInquiryView,
  toVerificationView,
  VERIFICATION_COLUMNS,
  type VerificationRow,
} from './row-views.js';

/** The reads of inquiries and their verifications. */
export type SqliteInquiryReads = Pick<
  Synchronous<ReadModel>,
  'getInquiry' | 'getVerification' | 'listVerifications'
>;

const GET_INQUIRY_SQL = `SELECT ${INQUIRY_COLUMNS} FROM inquiries WHERE inquiry_id = ?`;
const GET_VERIFICATION_SQL = `SELECT ${VERIFICATION_COLUMNS} FROM verifications WHERE verification_id = ?`;
const LIST_VERIFICATIONS_SQL = `SELECT ${VERIFICATION_COLUMNS} FROM verifications
WHERE inquiry_id IN (SELECT value FROM json_each(?))
ORDER BY inquiry_id, status_at_ms, verification_id`;

/** Builds the inquiry and verification reads over a migrated connection. */
export function createSqliteInquiryReads(prepare: PrepareCached): SqliteInquiryReads {
  return {
    getInquiry(inquiryId) {
      const row = prepare(GET_INQUIRY_SQL).get(inquiryId) as InquiryRow | undefined;
      return row ? toInquiryView(row) : null;
    },

    getVerification(verificationId) {
      const row = prepare(GET_VERIFICATION_SQL).get(verificationId) as VerificationRow | undefined;
      return row ? toVerificationView(row) : null;
    },

    listVerifications(inquiryIds) {
      if (inquiryIds.length === 0) return [];
      const rows = prepare(LIST_VERIFICATIONS_SQL).all(JSON.stringify(inquiryIds)) as VerificationRow[];
      return rows.map(toVerificationView);
    },
  };
}
