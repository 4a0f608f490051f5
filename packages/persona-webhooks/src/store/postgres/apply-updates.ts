/**
 * Applies KYC projection updates inside the transaction that completes the event. The upserts and
 * their newest-wins rule are shared with SQLite (`../projection-upserts.ts`) and rendered here for
 * `$n` parameters; they run one after another, each seeing the ones before it.
 */
import type { ProjectionUpdate } from '../../kyc/projection-update.js';
import { positional } from '../named-params.js';
import {
  type InquiryParams,
  inquiryParams,
  upsertInquirySql,
  upsertVerificationSql,
  type VerificationParams,
  verificationParams,
} from '../projection-upserts.js';
import type { PostgresQueryable } from './driver.js';
import type { Tables } from './tables.js';

/** The statements of one schema, rendered once. */
export interface UpdateStatements {
  apply(tx: PostgresQueryable, updates: readonly ProjectionUpdate[], nowMs: number): Promise<void>;
}

/** Renders the projection statements for the tables of one schema. */
export function updateStatements(t: Tables): UpdateStatements {
  const upsertInquiry = positional<InquiryParams>(upsertInquirySql(t.inquiries));
  const upsertVerification = positional<VerificationParams>(upsertVerificationSql(t.verifications));
  const scrubByInquiry = `UPDATE ${t.events} SET body = NULL WHERE inquiry_id = $1 AND body IS NOT NULL`;
  const scrubByAccount = `UPDATE ${t.events} SET body = NULL WHERE account_id = $1 AND body IS NOT NULL`;

  return {
    async apply(tx, updates, nowMs) {
      for (const update of updates) {
        if (update.kind === 'inquiry') {
          await tx.query(upsertInquiry.text, upsertInquiry.values(inquiryParams(update, nowMs)));
        } else if (update.kind === 'verification') {
          await tx.query(upsertVerification.text, upsertVerification.values(verificationParams(update)));
        } else {
          if (update.inquiryId !== null) await tx.query(scrubByInquiry, [update.inquiryId]);
          if (update.accountId !== null) await tx.query(scrubByAccount, [update.accountId]);
        }
      }
    },
  };
}
