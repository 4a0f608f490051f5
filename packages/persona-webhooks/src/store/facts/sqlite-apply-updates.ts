/**
 * Applies KYC projection updates in SQL, inside the transaction that marks the event done. The upserts
 * and their newest-wins rule are shared with PostgreSQL (`inquiry-upserts.ts`); SQLite binds
 * their `@name` placeholders as they are.
 */
import type { ProjectionUpdate, ScrubBodiesUpdate } from '../../kyc/projection-update.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import {
  accountParams,
  caseParams,
  factUpsertStatements,
  linkParams,
  reportParams,
  transactionParams,
} from './fact-upserts.js';
import {
  inquiryParams,
  upsertInquirySql,
  upsertVerificationSql,
  verificationParams,
} from './inquiry-upserts.js';
import { PLAIN_KYC_TABLES } from './kyc-tables.js';

const UPSERT_INQUIRY_SQL = upsertInquirySql('inquiries');
const UPSERT_VERIFICATION_SQL = upsertVerificationSql('verifications');
const FACTS = factUpsertStatements(PLAIN_KYC_TABLES);
const SCRUB_BY_INQUIRY_SQL =
  'DELETE FROM event_bodies WHERE event_id IN (SELECT id FROM events WHERE inquiry_id = ?)';
const SCRUB_BY_ACCOUNT_SQL =
  'DELETE FROM event_bodies WHERE event_id IN (SELECT id FROM events WHERE account_id = ?)';
const SCRUB_BY_OBJECT_SQL =
  'DELETE FROM event_bodies WHERE event_id IN (SELECT id FROM events WHERE object_id = ?)';

/** Applies every update; must run inside the caller's transaction. */
export function applyProjectionUpdates(
  prepare: PrepareCached,
  updates: readonly ProjectionUpdate[],
  nowMs: number,
): void {
  for (const update of updates) {
    switch (update.kind) {
      case 'inquiry':
        prepare(UPSERT_INQUIRY_SQL).run(inquiryParams(update, nowMs));
        break;
      case 'verification':
        prepare(UPSERT_VERIFICATION_SQL).run(verificationParams(update));
        break;
      case 'case':
        prepare(FACTS.upsertCase).run(caseParams(update, nowMs));
        break;
      case 'report':
        prepare(FACTS.upsertReport).run(reportParams(update, nowMs));
        break;
      case 'account':
        prepare(FACTS.upsertAccount).run(accountParams(update, nowMs));
        break;
      case 'transaction':
        prepare(FACTS.upsertTransaction).run(transactionParams(update, nowMs));
        break;
      case 'links':
        for (const link of linkParams(update)) prepare(FACTS.insertLink).run(link);
        break;
      case 'scrub':
        scrubBodies(prepare, update);
        break;
    }
  }
}

function scrubBodies(prepare: PrepareCached, update: ScrubBodiesUpdate): void {
  if (update.inquiryId !== null) prepare(SCRUB_BY_INQUIRY_SQL).run(update.inquiryId);
  if (update.accountId !== null) prepare(SCRUB_BY_ACCOUNT_SQL).run(update.accountId);
  if (update.objectId != null) prepare(SCRUB_BY_OBJECT_SQL).run(update.objectId);
}
