/**
 * The outbox's SQL, one text for both stores (`@name` placeholders; PostgreSQL renders them with
 * `named-params.ts`, casting where it could not infer a type). A message being sent is `sending` with
 * `next_attempt_at_ms` at its lease's end, so one partial index finds every due message, whether its
 * retry time came or its sender's lease ran out.
 */
import { randomBytes } from 'node:crypto';
import type { DecisionChange } from '../../outbox/decision-changed.js';
import { decisionChangedEvent } from '../../outbox/decision-changed.js';
import type {
  AppEndpoint,
  ClaimedDelivery,
  DeliveryAttempt,
  DeliveryDetail,
  DeliveryPage,
  DeliveryResult,
  DeliveryStats,
  DeliveryStatus,
  DeliveryView,
  EndpointSecret,
  ListDeliveriesQuery,
} from '../../outbox/outbox-types.js';

/** The tables these statements name, schema-qualified where needed. */
export interface OutboxTables {
  endpoints: string;
  messages: string;
  deliveryAttempts: string;
}

export const PLAIN_OUTBOX_TABLES: OutboxTables = Object.freeze({
  endpoints: 'app_endpoints',
  messages: 'outbox_messages',
  deliveryAttempts: 'outbox_attempts',
});

const MESSAGE_COLUMNS = `m.id, m.endpoint_id, m.reference_id, m.status, m.attempts, m.created_at_ms,
  m.next_attempt_at_ms, m.delivered_at_ms, m.last_status_code, m.last_error, m.payload, m.seq`;

/** The statements of one set of tables. */
export function outboxStatements(t: OutboxTables) {
  return {
    putEndpoint: `INSERT INTO ${t.endpoints} (id, url, secrets, enabled, source, created_at_ms)
VALUES (@id, @url, @secrets, @enabled, @source, @created_at_ms)
ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, secrets = EXCLUDED.secrets, enabled = EXCLUDED.enabled,
  source = EXCLUDED.source`,
    listEndpoints: `SELECT id, url, secrets, enabled, source, created_at_ms FROM ${t.endpoints} ORDER BY created_at_ms, id`,
    enabledEndpointIds: `SELECT id FROM ${t.endpoints} WHERE enabled = 1 ORDER BY id`,
    insertMessage: `INSERT INTO ${t.messages} (id, endpoint_id, reference_id, payload, status, attempts, created_at_ms,
  next_attempt_at_ms) VALUES (@id, @endpoint_id, @reference_id, @payload, 'pending', 0, @now_ms, @now_ms)`,
    /**
     * Due messages whose endpoint is enabled and that no older message of the same endpoint and user
     * is still waiting for. PostgreSQL appends `FOR UPDATE OF m SKIP LOCKED`.
     */
    dueMessages: `SELECT m.seq, m.id, m.endpoint_id, m.reference_id, m.payload, m.attempts, m.next_attempt_at_ms,
  e.url, e.secrets
FROM ${t.messages} m JOIN ${t.endpoints} e ON e.id = m.endpoint_id
WHERE m.status IN ('pending', 'sending') AND m.next_attempt_at_ms <= CAST(@now_ms AS BIGINT) AND e.enabled = 1
  AND NOT EXISTS (SELECT 1 FROM ${t.messages} o WHERE o.endpoint_id = m.endpoint_id
    AND o.reference_id = m.reference_id AND o.seq < m.seq AND o.status IN ('pending', 'sending'))
ORDER BY m.next_attempt_at_ms, m.seq LIMIT CAST(@limit AS INTEGER)`,
    /**
     * The same for one endpoint, for claims with a per-endpoint limit: one indexed read per endpoint
     * (`outbox_endpoint_due`), so the cost stays that of the rows returned however long the backlog.
     */
    dueForEndpoint: `SELECT m.seq, m.id, m.endpoint_id, m.reference_id, m.payload, m.attempts, m.next_attempt_at_ms,
  e.url, e.secrets
FROM ${t.messages} m JOIN ${t.endpoints} e ON e.id = m.endpoint_id
WHERE m.endpoint_id = @endpoint_id AND m.status IN ('pending', 'sending')
  AND m.next_attempt_at_ms <= CAST(@now_ms AS BIGINT) AND e.enabled = 1
  AND NOT EXISTS (SELECT 1 FROM ${t.messages} o WHERE o.endpoint_id = m.endpoint_id
    AND o.reference_id = m.reference_id AND o.seq < m.seq AND o.status IN ('pending', 'sending'))
ORDER BY m.next_attempt_at_ms, m.seq LIMIT CAST(@limit AS INTEGER)`,
    /** An endpoint's messages being sent now by any sender (a lease not yet run out). */
    sendingCount: `SELECT count(*) AS n FROM ${t.messages}
WHERE endpoint_id = @endpoint_id AND status = 'sending' AND next_attempt_at_ms > CAST(@now_ms AS BIGINT)`,
    lease: `UPDATE ${t.messages} SET status = 'sending', attempts = attempts + 1, lease_token = @token,
  next_attempt_at_ms = @expires_ms WHERE id = @id`,
    startAttempt: `INSERT INTO ${t.deliveryAttempts} (message_id, attempt, started_at_ms) VALUES (@id, @attempt, @now_ms)`,
    /** Run as a message is leased: an earlier attempt still without an outcome was cut by a crash. */
    markInterrupted: `UPDATE ${t.deliveryAttempts} SET interrupted = 1
WHERE message_id = @id AND duration_ms IS NULL AND interrupted = 0`,
    finish: `UPDATE ${t.messages} SET status = @status, next_attempt_at_ms = @next_ms, lease_token = NULL,
  last_status_code = @status_code, last_error = @error, delivered_at_ms = @delivered_ms
WHERE id = @id AND status = 'sending' AND lease_token = @token`,
    finishAttempt: `UPDATE ${t.deliveryAttempts} SET duration_ms = @duration_ms, status_code = @status_code, error = @error,
  response_excerpt = @response_excerpt, request_headers = @request_headers
WHERE message_id = @id AND attempt = @attempt AND duration_ms IS NULL AND interrupted = 0`,
    replay: `UPDATE ${t.messages} SET status = 'pending', attempts = 0, next_attempt_at_ms = @now_ms, lease_token = NULL
WHERE id = @id AND status IN ('delivered', 'dead')`,
    sendNow: `UPDATE ${t.messages} SET next_attempt_at_ms = @now_ms WHERE id = @id AND status = 'pending'`,
    /** Dead ones get a fresh set of attempts, as a replay does; pending ones keep their count. */
    recover: `UPDATE ${t.messages} SET attempts = CASE WHEN status = 'dead' THEN 0 ELSE attempts END,
  status = 'pending', next_attempt_at_ms = @now_ms, lease_token = NULL
WHERE endpoint_id = @endpoint_id AND created_at_ms >= CAST(@since_ms AS BIGINT)
  AND (status = 'dead' OR (status = 'pending' AND attempts > 0))`,
    removeMessages: `DELETE FROM ${t.messages} WHERE endpoint_id = @id`,
    removeEndpoint: `DELETE FROM ${t.endpoints} WHERE id = @id`,
    exists: `SELECT 1 AS present FROM ${t.messages} WHERE id = @id`,
    getMessage: `SELECT ${MESSAGE_COLUMNS} FROM ${t.messages} m WHERE m.id = @id`,
    attempts: `SELECT attempt, started_at_ms, duration_ms, status_code, error, response_excerpt, request_headers,
  interrupted FROM ${t.deliveryAttempts}
WHERE message_id = @id ORDER BY started_at_ms, attempt`,
    stats: `SELECT status, count(*) AS n, min(created_at_ms) AS oldest FROM ${t.messages} GROUP BY status`,
    /** A page, newest first; the filters are appended by the caller. */
    listPrefix: `SELECT ${MESSAGE_COLUMNS} FROM ${t.messages} m`,
  };
}

/** The statements on the unqualified tables (SQLite), built once for every module that runs them. */
export const PLAIN_OUTBOX_SQL: OutboxStatements = outboxStatements(PLAIN_OUTBOX_TABLES);

/** A due message as the claim queries read it. */
export interface DueRow {
  seq: Num;
  id: string;
  endpoint_id: string;
  reference_id: string;
  payload: string;
  attempts: Num;
  next_attempt_at_ms: Num;
  url: string;
  secrets: string;
}

/**
 * The first `limit` of the rows each endpoint's query gave, in the order one query over all endpoints
 * would have: by due time, then by when they were written.
 */
export function firstDue<R extends Pick<DueRow, 'seq' | 'next_attempt_at_ms'>>(
  rows: R[],
  limit: number,
): R[] {
  return rows
    .sort(
      (a, b) => Number(a.next_attempt_at_ms) - Number(b.next_attempt_at_ms) || Number(a.seq) - Number(b.seq),
    )
    .slice(0, limit);
}

/** A message just leased, as the worker sends it: only the secrets that sign now. */
export function toClaimedDelivery(
  row: DueRow,
  attempt: number,
  leaseToken: string,
  nowMs: number,
): ClaimedDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    url: row.url,
    secrets: validSecrets(row.secrets, nowMs),
    referenceId: row.reference_id,
    payload: row.payload,
    attempt,
    leaseToken,
  };
}

/** Statements of {@link outboxStatements}. */
export type OutboxStatements = ReturnType<typeof outboxStatements>;

/** A new message id: the `webhook-id` the receiver dedupes on. */
export function messageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

/** The rows one decision change writes: one per enabled endpoint. */
export function messageParams(change: DecisionChange, endpointIds: readonly string[], nowMs: number) {
  // Without an enabled endpoint a change writes no message, so its body is never built.
  if (endpointIds.length === 0) return [];
  const payload = JSON.stringify(decisionChangedEvent(change));
  return endpointIds.map((endpointId) => ({
    id: messageId(),
    endpoint_id: endpointId,
    reference_id: change.referenceId,
    payload,
    now_ms: nowMs,
  }));
}

/** Parameters of `putEndpoint`. */
export function endpointParams(endpoint: AppEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    secrets: JSON.stringify(endpoint.secrets),
    enabled: endpoint.enabled ? 1 : 0,
    source: endpoint.source,
    created_at_ms: endpoint.createdAtMs,
  };
}

type Num = number | string;

export interface EndpointRow {
  id: string;
  url: string;
  secrets: string;
  enabled: Num;
  source: string;
  created_at_ms: Num;
}

export function toEndpoint(row: EndpointRow): AppEndpoint {
  return {
    id: row.id,
    url: row.url,
    secrets: JSON.parse(row.secrets) as EndpointSecret[],
    enabled: Number(row.enabled) === 1,
    source: row.source === 'env' ? 'env' : 'cli',
    createdAtMs: Number(row.created_at_ms),
  };
}

/** The secrets that sign now: unexpired ones, newest first. */
export function validSecrets(secretsJson: string, nowMs: number): string[] {
  return (JSON.parse(secretsJson) as EndpointSecret[])
    .filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs)
    .map((s) => s.secret);
}

export interface MessageRow {
  id: string;
  endpoint_id: string;
  reference_id: string;
  status: DeliveryStatus;
  attempts: Num;
  created_at_ms: Num;
  next_attempt_at_ms: Num | null;
  delivered_at_ms: Num | null;
  last_status_code: Num | null;
  last_error: string | null;
  payload: string;
  seq: Num;
}

export function toDeliveryView(row: MessageRow): DeliveryView {
  const open = row.status === 'pending' || row.status === 'sending';
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    referenceId: row.reference_id,
    status: row.status,
    attempts: Number(row.attempts),
    createdAtMs: Number(row.created_at_ms),
    nextAttemptAtMs: open && row.next_attempt_at_ms !== null ? Number(row.next_attempt_at_ms) : null,
    deliveredAtMs: numberOrNull(row.delivered_at_ms),
    lastStatusCode: numberOrNull(row.last_status_code),
    lastError: row.last_error,
    payload: row.payload,
  };
}

export interface AttemptRow {
  attempt: Num;
  started_at_ms: Num;
  duration_ms: Num | null;
  status_code: Num | null;
  error: string | null;
  response_excerpt: string | null;
  request_headers: string | null;
  interrupted: Num;
}

export function toDeliveryDetail(row: MessageRow, attempts: readonly AttemptRow[]): DeliveryDetail {
  return {
    ...toDeliveryView(row),
    attemptLog: attempts.map(
      (a): DeliveryAttempt => ({
        attempt: Number(a.attempt),
        startedAtMs: Number(a.started_at_ms),
        durationMs: numberOrNull(a.duration_ms),
        statusCode: numberOrNull(a.status_code),
        error: a.error,
        responseExcerpt: a.response_excerpt,
        requestHeaders:
          a.request_headers === null ? null : (JSON.parse(a.request_headers) as Record<string, string>),
        interrupted: Number(a.interrupted) === 1,
      }),
    ),
  };
}

/** Parameters of `finish` and `finishAttempt` for one attempt's outcome. */
export function finishParams(
  claim: { id: string; leaseToken: string; attempt: number },
  result: DeliveryResult,
  retryAtMs: number | null,
  nowMs: number,
) {
  const status: DeliveryStatus = result.ok ? 'delivered' : retryAtMs === null ? 'dead' : 'pending';
  return {
    id: claim.id,
    token: claim.leaseToken,
    attempt: claim.attempt,
    status,
    next_ms: status === 'pending' ? retryAtMs : null,
    status_code: result.statusCode,
    error: result.ok ? null : (result.error ?? 'failed').slice(0, 500),
    delivered_ms: result.ok ? nowMs : null,
    duration_ms: Math.max(0, Math.round(result.durationMs)),
    response_excerpt: result.responseExcerpt ?? null,
    request_headers: result.requestHeaders ? JSON.stringify(result.requestHeaders) : null,
  };
}

/** The cursor of a deliveries page: the last seq shown. */
export function deliveryCursor(row: MessageRow | undefined): string | null {
  return row === undefined ? null : Buffer.from(String(row.seq)).toString('base64url');
}

/** The seq a cursor points after; null for a cursor that is not one of ours. */
export function parseDeliveryCursor(cursor: string): number | null {
  const seq = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

/** Binds one filter value and returns its placeholder; `type` is the PostgreSQL cast it needs. */
export type BindDeliveryFilter = (name: string, type: 'text' | 'bigint', value: string | number) => string;

/**
 * The WHERE clause (with its leading space) appended to `listPrefix` for a deliveries page, or '' with
 * no filter. Each dialect writes its own placeholders through `bind`; values are bound in clause order.
 */
export function deliveryWhere(query: ListDeliveriesQuery, bind: BindDeliveryFilter): string {
  const conditions: string[] = [];
  if (query.status !== undefined) conditions.push(`m.status = ${bind('status', 'text', query.status)}`);
  if (query.endpointId !== undefined) {
    conditions.push(`m.endpoint_id = ${bind('endpoint_id', 'text', query.endpointId)}`);
  }
  if (query.referenceId !== undefined) {
    conditions.push(`m.reference_id = ${bind('reference_id', 'text', query.referenceId)}`);
  }
  if (query.cursor !== undefined) {
    conditions.push(`m.seq < ${bind('before_seq', 'bigint', parseDeliveryCursor(query.cursor) ?? 0)}`);
  }
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** A page from rows read with `limit + 1`: the extra row only tells that a next page exists. */
export function deliveryPage(rows: readonly MessageRow[], limit: number): DeliveryPage {
  const page = rows.slice(0, limit);
  return {
    deliveries: page.map(toDeliveryView),
    nextCursor: rows.length > limit ? deliveryCursor(page.at(-1)) : null,
  };
}

/** A row of `stats`: one per status present. */
export interface StatsRow {
  status: DeliveryStatus;
  n: Num;
  oldest: Num;
}

/** Counts per status (0 for one absent) and when the oldest message still to send was written. */
export function toDeliveryStats(rows: readonly StatsRow[]): DeliveryStats {
  const stats: DeliveryStats = {
    pending: 0,
    sending: 0,
    delivered: 0,
    dead: 0,
    oldestUndeliveredAtMs: null,
  };
  for (const row of rows) {
    stats[row.status] = Number(row.n);
    if (row.status === 'pending' || row.status === 'sending') {
      const oldest = Number(row.oldest);
      stats.oldestUndeliveredAtMs = Math.min(stats.oldestUndeliveredAtMs ?? oldest, oldest);
    }
  }
  return stats;
}

function numberOrNull(value: Num | null): number | null {
  return value === null ? null : Number(value);
}
