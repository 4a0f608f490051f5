/**
 * The rows of the PostgreSQL read model, converted column by column (`../postgres/row-values.ts`) into
 * the shared row types of `row-views.ts`, whatever the pool's type parsers do with int8.
 */

import type { Connections } from '../postgres/connections.js';
import { type RowValues, rowValues } from '../postgres/row-values.js';
import type {
  AttemptRow,
  EventDetailRow,
  EventSummaryRow,
  InquiryRow,
  VerificationRow,
} from './row-views.js';

/** Runs one autocommit SELECT and returns its rows for conversion. */
export type SelectRows = (text: string, values?: unknown[]) => Promise<RowValues[]>;

/** SELECTs on a connection checked out for each. */
export function selectRows(connections: Connections): SelectRows {
  return async (text, values = []) =>
    rowValues((await connections.use((client) => client.query(text, values))).rows);
}

export const STATUSES = ['pending', 'processing', 'done', 'dead'] as const;
const OUTCOMES = ['done', 'retry', 'dead'] as const;
const SOURCES = ['webhook', 'api'] as const;

export function summaryRow(row: RowValues): EventSummaryRow {
  return {
    id: row.text('id'),
    name: row.text('name'),
    status: row.oneOf('status', STATUSES),
    attempts: row.int('attempts'),
    created_at: row.text('created_at'),
    created_at_ms: row.int('created_at_ms'),
    received_at_ms: row.int('received_at_ms'),
    last_error: row.textOrNull('last_error'),
    inquiry_id: row.textOrNull('inquiry_id'),
    reference_id: row.textOrNull('reference_id'),
    source: row.oneOf('source', SOURCES),
  };
}

export function detailRow(row: RowValues): EventDetailRow {
  return {
    ...summaryRow(row),
    object_type: row.textOrNull('object_type'),
    object_id: row.textOrNull('object_id'),
    run_at_ms: row.int('run_at_ms'),
    body: row.bytesOrNull('body'),
  };
}

export function attemptRow(row: RowValues): AttemptRow {
  return {
    attempt: row.int('attempt'),
    started_at_ms: row.int('started_at_ms'),
    finished_at_ms: row.intOrNull('finished_at_ms'),
    outcome: row.textOrNull('outcome') === null ? null : row.oneOf('outcome', OUTCOMES),
    error: row.textOrNull('error'),
  };
}

export function inquiryRow(row: RowValues): InquiryRow {
  return {
    inquiry_id: row.text('inquiry_id'),
    reference_id: row.textOrNull('reference_id'),
    account_id: row.textOrNull('account_id'),
    status: row.textOrNull('status'),
    status_at_ms: row.int('status_at_ms'),
    inquiry_created_at_ms: row.intOrNull('inquiry_created_at_ms'),
    redacted_at_ms: row.intOrNull('redacted_at_ms'),
    updated_at_ms: row.int('updated_at_ms'),
  };
}

export function verificationRow(row: RowValues): VerificationRow {
  return {
    verification_id: row.text('verification_id'),
    inquiry_id: row.textOrNull('inquiry_id'),
    verification_type: row.text('verification_type'),
    status: row.textOrNull('status'),
    status_at_ms: row.int('status_at_ms'),
  };
}
