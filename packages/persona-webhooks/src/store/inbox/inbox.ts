/**
 * The inbox: every verified event stored once, by its `evt_` id, durable before Persona gets its 2xx.
 * The pipeline writes through {@link InboxWriter}; the rows it writes are in `inbox-rows.ts`.
 */

/**
 * How an event reached the inbox: delivered by Persona's webhook, or recovered through Persona's
 * Events API (reconciliation, backfill) because the webhook never brought it. The first arrival wins.
 */
export type EventSource = 'webhook' | 'api';

/** A verified, parsed event as the pipeline hands it to the store. */
export interface InboxEvent {
  /** `evt_…`: the deduplication key. */
  id: string;
  name: string;
  /** The event's `created-at` as Persona sent it (ISO 8601). */
  createdAt: string;
  /** The same instant in epoch milliseconds: the processing-order key. */
  createdAtMs: number;
  /** Type and id of the affected object (`inquiry`, `inq_…`). */
  objectType: string | null;
  objectId: string | null;
  /** The inquiry and account this event belongs to, when known: redaction scrubs by these. */
  inquiryId: string | null;
  accountId: string | null;
  /**
   * Persona's `reference-id` (your user id) when the event's object carries it (inquiries, accounts), so
   * a user's events can be found before any of them has been processed.
   */
  referenceId?: string | null;
  /** The exact bytes Persona signed. */
  body: Uint8Array;
  /** Persona's delivery headers, when present. */
  attemptsMade: number | null;
  attemptsLeft: number | null;
  firstAttemptedAtMs: number | null;
  receivedAtMs: number;
  /** Default `webhook`. */
  source?: EventSource;
}

/** A correctly signed body that is not a valid Persona event: kept as dead, never thrown away. */
export interface QuarantinedBody {
  /** Hex SHA-256 of the body: the deduplication key, so Persona's retries do not multiply it. */
  sha256: string;
  body: Uint8Array;
  /** Why it was rejected, e.g. `malformed: data.id is missing`. */
  reason: string;
  receivedAtMs: number;
  /** Default `webhook`. */
  source?: EventSource;
}

/** `stored`: a new row, committed and synced to disk. `duplicate`: already there, nothing written. */
export type IngestOutcome = 'stored' | 'duplicate';

/** The write side the pipeline needs; resolving means the row is durable. */
export interface InboxWriter {
  ingest(event: InboxEvent): Promise<IngestOutcome>;
  quarantine(body: QuarantinedBody): Promise<IngestOutcome>;
}
