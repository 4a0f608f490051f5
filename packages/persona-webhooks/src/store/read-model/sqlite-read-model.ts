/**
 * Reads for the admin API, the CLI and `/metrics`: event detail and listing, queue counts, and the
 * KYC read model. Plain SELECTs; WAL lets them run beside the writer without blocking it. Composed of
 * the event reads (`sqlite-event-reads.ts`), the KYC reads (`sqlite-kyc-reads.ts`) and the inquiry and
 * verification reads (`sqlite-inquiry-reads.ts`).
 */

import type { KycPolicy } from '../../kyc/decision.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type { Synchronous } from '../synchronous.js';
import type { ReadModel } from './read-model.js';
import { createSqliteEventReads } from './sqlite-event-reads.js';
import { createSqliteInquiryReads } from './sqlite-inquiry-reads.js';
import { createSqliteKycReads } from './sqlite-kyc-reads.js';

/** Read operations bound to one connection: the read model, synchronous. */
export type SqliteReadModel = Synchronous<ReadModel>;

/** Builds the read operations over a migrated connection. */
export function createSqliteReadModel(prepare: PrepareCached, policy: KycPolicy): SqliteReadModel {
  return {
    ...createSqliteEventReads(prepare),
    ...createSqliteKycReads(prepare, policy),
    ...createSqliteInquiryReads(prepare),
  };
}
