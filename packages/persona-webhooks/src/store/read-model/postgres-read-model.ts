/**
 * Reads for the admin API, the CLI and `/metrics`, with the same shapes and orderings as
 * `../sqlite/read-model.ts`: events newest-received first with the shared opaque keyset cursor, a
 * user's inquiries most recently created first. Rows are converted column by column (`row-values.ts`)
 * into the shared row types, whatever the pool's type parsers do with int8.
 */

import type { KycPolicy } from '../../kyc/decision.js';
import { decisionSql } from '../decisions/decision-sql.js';
import { decisionCounts, decisionFromRow } from '../decisions/kyc-decisions.js';
import { decisionStatements } from '../decisions/postgres-decisions.js';
import { userObjectIdsSql } from '../facts/ownership-sql.js';
import { positional } from '../named-params.js';
import type { Connections } from '../postgres/connections.js';
import { type RowValues, rowValues } from '../postgres/row-values.js';
import type { Tables } from '../postgres/tables.js';
import type { Store } from '../store.js';
import { decodeKeysetCursor } from './keyset-cursor.js';
import { kycListStatement, NEWEST_INQUIRY_FIRST } from './kyc-list-sql.js';
import type { InboxCounts } from './read-model.js';
import {
  type AttemptRow,
  EVENT_SUMMARY_COLUMNS,
  type EventDetailRow,
  type EventSummaryRow,
  type InquiryRow,
  listLimit,
  timelineLimit,
  toEventDetail,
  toEventPage,
  toInquiryView,
  toKycPage,
  toKycView,
  toMinuteCount,
  toTimeline,
  toVerificationView,
  type VerificationRow,
} from './row-views.js';

/** Read operations over one pool: the store's reads, as the store exposes them. */
export type PostgresReadModel = Pick<
  Store,
  | 'getEvent'
  | 'listEvents'
  | 'counts'
  | 'getInquiry'
  | 'getKyc'
  | 'getKycFacts'
  | 'countDecisions'
  | 'listKyc'
  | 'getVerification'
  | 'listVerifications'
  | 'timeline'
  | 'receivedPerMinute'
  | 'inboxTimes'
>;

const STATUSES = ['pending', 'processing', 'done', 'dead'] as const;
const OUTCOMES = ['done', 'retry', 'dead'] as const;
const SUMMARY_COLUMNS = EVENT_SUMMARY_COLUMNS;
const VERIFICATION_COLUMNS = 'verification_id, inquiry_id, verification_type, status, status_at_ms';
const SOURCES = ['webhook', 'api'] as const;
const INQUIRY_COLUMNS = `inquiry_id, reference_id, account_id, status, status_at_ms, inquiry_created_at_ms,
  redacted_at_ms, updated_at_ms`;

function summaryRow(row: RowValues): EventSummaryRow {
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

function detailRow(row: RowValues): EventDetailRow {
  return {
    ...summaryRow(row),
    object_type: row.textOrNull('object_type'),
    object_id: row.textOrNull('object_id'),
    run_at_ms: row.int('run_at_ms'),
    body: row.bytesOrNull('body'),
  };
}

function attemptRow(row: RowValues): AttemptRow {
  return {
    attempt: row.int('attempt'),
    started_at_ms: row.int('started_at_ms'),
    finished_at_ms: row.intOrNull('finished_at_ms'),
    outcome: row.textOrNull('outcome') === null ? null : row.oneOf('outcome', OUTCOMES),
    error: row.textOrNull('error'),
  };
}

function inquiryRow(row: RowValues): InquiryRow {
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

function verificationRow(row: RowValues): VerificationRow {
  return {
    verification_id: row.text('verification_id'),
    inquiry_id: row.textOrNull('inquiry_id'),
    verification_type: row.text('verification_type'),
    status: row.textOrNull('status'),
    status_at_ms: row.int('status_at_ms'),
  };
}

/** Builds the read operations over a migrated schema. */
export function createPostgresReadModel(
  connections: Connections,
  t: Tables,
  policy: KycPolicy,
): PostgresReadModel {
  const decisions = decisionStatements(t);
  const countDecisionsSql = decisionSql(t).countDecisions;
  const select = async (text: string, values: unknown[] = []): Promise<RowValues[]> =>
    rowValues((await connections.use((client) => client.query(text, values))).rows);
  /** A user's events: those that carried their reference id ($n), or belong to one of their inquiries. */
  // A user's events: by reference id, by their inquiries, and of their cases, reports and accounts.
  const userEvents = (n: number) =>
    `(reference_id = $${n}::text OR inquiry_id IN (SELECT inquiry_id FROM ${t.inquiries} WHERE reference_id = $${n}::text)
    OR object_id IN (${userObjectIdsSql(t, `$${n}::text`, 'postgres')}))`;

  return {
    async getEvent(eventId) {
      const [row] = await select(
        `SELECT ${SUMMARY_COLUMNS}, object_type, object_id, run_at_ms, body FROM ${t.events} WHERE id = $1`,
        [eventId],
      );
      if (!row) return null;
      const attempts = await select(
        `SELECT attempt, started_at_ms, finished_at_ms, outcome, error
        FROM ${t.attempts} WHERE event_id = $1 ORDER BY seq`,
        [eventId],
      );
      return toEventDetail(detailRow(row), attempts.map(attemptRow));
    },

    async listEvents(query) {
      // Checked before querying: a bad cursor or limit is the caller's error (400), not an outage.
      const limit = listLimit(query);
      const after = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor);
      const values: unknown[] = [limit + 1];
      const conditions: string[] = [];
      if (query.status !== undefined) {
        values.push(query.status);
        conditions.push(`status = $${values.length}::text`);
      }
      if (query.name !== undefined) {
        values.push(query.name);
        conditions.push(`name = $${values.length}::text`);
      }
      if (query.receivedFromMs !== undefined) {
        values.push(query.receivedFromMs);
        conditions.push(`received_at_ms >= $${values.length}::bigint`);
      }
      if (query.receivedBeforeMs !== undefined) {
        values.push(query.receivedBeforeMs);
        conditions.push(`received_at_ms < $${values.length}::bigint`);
      }
      if (query.search !== undefined) {
        // Exact ids only, each served by its own index.
        values.push(query.search);
        const n = values.length;
        conditions.push(
          `(id = $${n}::text OR object_id = $${n}::text OR inquiry_id = $${n}::text OR ${userEvents(n)})`,
        );
      }
      if (after !== undefined) {
        values.push(after.atMs, after.id);
        conditions.push(`(received_at_ms, id) < ($${values.length - 1}::bigint, $${values.length}::text)`);
      }
      const rows = await select(
        `SELECT ${SUMMARY_COLUMNS} FROM ${t.events}
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY received_at_ms DESC, id DESC
        LIMIT $1`,
        values,
      );
      return toEventPage(rows.map(summaryRow), limit);
    },

    async counts() {
      const counts: InboxCounts = { pending: 0, processing: 0, done: 0, dead: 0 };
      // count(*) is int8: a string from a default pg pool, converted like every other int8.
      for (const row of await select(`SELECT status, count(*) AS n FROM ${t.events} GROUP BY status`)) {
        counts[row.oneOf('status', STATUSES)] = row.int('n');
      }
      return counts;
    },

    async getInquiry(inquiryId) {
      const [row] = await select(`SELECT ${INQUIRY_COLUMNS} FROM ${t.inquiries} WHERE inquiry_id = $1`, [
        inquiryId,
      ]);
      return row ? toInquiryView(inquiryRow(row)) : null;
    },

    async getKyc(referenceId) {
      const rows = await select(
        `SELECT ${INQUIRY_COLUMNS} FROM ${t.inquiries} WHERE reference_id = $1 ORDER BY ${NEWEST_INQUIRY_FIRST}`,
        [referenceId],
      );
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

    async getVerification(verificationId) {
      const [row] = await select(
        `SELECT ${VERIFICATION_COLUMNS} FROM ${t.verifications} WHERE verification_id = $1`,
        [verificationId],
      );
      return row ? toVerificationView(verificationRow(row)) : null;
    },

    async listVerifications(inquiryIds) {
      if (inquiryIds.length === 0) return [];
      const rows = await select(
        `SELECT ${VERIFICATION_COLUMNS} FROM ${t.verifications} WHERE inquiry_id = ANY($1::text[])
        ORDER BY inquiry_id, status_at_ms, verification_id`,
        [inquiryIds],
      );
      return rows.map((row) => toVerificationView(verificationRow(row)));
    },

    async timeline(query) {
      const limit = timelineLimit(query);
      const [where, key] =
        'inquiryId' in query
          ? ['inquiry_id = $2::text', query.inquiryId]
          : [userEvents(2), query.referenceId];
      const rows = await select(
        `SELECT ${SUMMARY_COLUMNS} FROM ${t.events} WHERE ${where}
        ORDER BY created_at_ms DESC, id DESC LIMIT $1`,
        [limit + 1, key],
      );
      return toTimeline(rows.map(summaryRow), limit);
    },

    async receivedPerMinute(sinceMs) {
      const rows = await select(
        `SELECT (received_at_ms / 60000) * 60000 AS minute_ms, count(*) AS n FROM ${t.events}
        WHERE received_at_ms >= $1::bigint GROUP BY 1 ORDER BY 1`,
        [sinceMs],
      );
      return rows.map((row) => toMinuteCount({ minute_ms: row.int('minute_ms'), n: row.int('n') }));
    },

    async inboxTimes() {
      const [row] = await select(
        `SELECT
          (SELECT min(received_at_ms) FROM ${t.events} WHERE status NOT IN ('done', 'dead')) AS oldest_open,
          (SELECT max(received_at_ms) FROM ${t.events}) AS last_received`,
      );
      return {
        oldestOpenReceivedAtMs: row?.intOrNull('oldest_open') ?? null,
        lastReceivedAtMs: row?.intOrNull('last_received') ?? null,
      };
    },
  };
}
