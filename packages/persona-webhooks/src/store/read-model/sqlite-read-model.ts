/**
 * Reads for the admin API, the CLI and `/metrics`: event detail and listing, queue counts, and the
 * KYC read model. Plain SELECTs; WAL lets them run beside the writer without blocking it. Composed of
 * the event reads (`sqlite-event-reads.ts`), the KYC reads (`sqlite-kyc-reads.ts`) and the inquiry and
 * verification reads (`sqlite-inquiry-reads.ts`).
 */

import type { KycDecisionValue, KycPolicy } from '../../kyc/decision.js';
import type { KycFacts } from '../../kyc/facts.js';
import type { PrepareCached } from '../sqlite/statement-cache.js';
import type {
  EventDetail,
  EventPage,
  InboxCounts,
  InboxTimes,
  InquiryView,
  KycPage,
  KycView,
  ListEventsQuery,
  ListKycQuery,
  MinuteCount,
  Timeline,
  TimelineQuery,
  VerificationView,
} from './read-model.js';
import { createSqliteEventReads } from './sqlite-event-reads.js';
import { createSqliteInquiryReads } from './sqlite-inquiry-reads.js';
import { createSqliteKycReads } from './sqlite-kyc-reads.js';

/** Read operations bound to one connection. */
export interface SqliteReadModel {
  getEvent(eventId: string): EventDetail | null;
  listEvents(query: ListEventsQuery): EventPage;
  counts(): InboxCounts;
  getInquiry(inquiryId: string): InquiryView | null;
  getKyc(referenceId: string): KycView | null;
  getKycFacts(referenceId: string): KycFacts;
  countDecisions(): Record<KycDecisionValue, number>;
  listKyc(query: ListKycQuery): KycPage;
  getVerification(verificationId: string): VerificationView | null;
  listVerifications(inquiryIds: readonly string[]): VerificationView[];
  timeline(query: TimelineQuery): Timeline;
  receivedPerMinute(sinceMs: number): MinuteCount[];
  inboxTimes(): InboxTimes;
}

/** Builds the read operations over a migrated connection. */
export function createSqliteReadModel(prepare: PrepareCached, policy: KycPolicy): SqliteReadModel {
  return {
    ...createSqliteEventReads(prepare),
    ...createSqliteKycReads(prepare, policy),
    ...createSqliteInquiryReads(prepare),
  };
}
