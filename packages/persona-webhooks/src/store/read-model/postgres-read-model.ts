/**
 * Reads for the admin API, the CLI and `/metrics`, with the same shapes and orderings as
 * `sqlite-read-model.ts`: events newest-received first with the shared opaque keyset cursor, a
 * user's inquiries most recently created first. Rows are converted column by column
 * (`postgres-read-rows.ts`) into the shared row types, whatever the pool's type parsers do with int8.
 * Composed of the event reads (`postgres-event-reads.ts`), the KYC reads (`postgres-kyc-reads.ts`) and
 * the inquiry and verification reads (`postgres-inquiry-reads.ts`).
 */

import type { KycPolicy } from '../../kyc/decision.js';
import type { Connections } from '../postgres/connections.js';
import type { Tables } from '../postgres/tables.js';
import { createPostgresEventReads } from './postgres-event-reads.js';
import { createPostgresInquiryReads } from './postgres-inquiry-reads.js';
import { createPostgresKycReads } from './postgres-kyc-reads.js';
import { selectRows } from './postgres-read-rows.js';
import type { ReadModel } from './read-model.js';

/** Builds the read operations over a migrated schema. */
export function createPostgresReadModel(connections: Connections, t: Tables, policy: KycPolicy): ReadModel {
  const select = selectRows(connections);
  return {
    ...createPostgresEventReads(select, t),
    ...createPostgresKycReads(connections, select, t, policy),
    ...createPostgresInquiryReads(select, t),
  };
}
