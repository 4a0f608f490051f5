/**
 * The outbox's records: the application endpoints a decision change is sent to, each message (one per
 * endpoint and change, written in the transaction that changed the decision), and its attempts.
 */
import type { ReplayOutcome } from '../store/queue/work-queue.js';

/** One signing secret of an endpoint; during a rotation the old one signs too until it expires. */
export interface EndpointSecret {
  /** `whsec_…`. */
  secret: string;
  /** Null: no expiry (the current secret). */
  expiresAtMs: number | null;
}

/** An application endpoint that receives `kyc.decision_changed` messages. */
export interface AppEndpoint {
  /** Stable id (`ep_…`), the `endpoints` CLI's handle. */
  id: string;
  url: string;
  /** Newest first. */
  secrets: EndpointSecret[];
  /** A disabled endpoint keeps its messages queued until enabled again. */
  enabled: boolean;
  /** `env`: from PERSONA_WEBHOOKS_APP_ENDPOINTS (re-synced at every start); `cli`: added by hand. */
  source: 'env' | 'cli';
  createdAtMs: number;
}

export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'dead';

/** One message to one endpoint. */
export interface DeliveryView {
  /** `msg_…`: the `webhook-id`, stable across retries, so the receiver can dedupe on it. */
  id: string;
  endpointId: string;
  referenceId: string;
  status: DeliveryStatus;
  attempts: number;
  createdAtMs: number;
  /** When it is tried next (pending), or when its lease ends (sending). */
  nextAttemptAtMs: number | null;
  deliveredAtMs: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  /** The JSON body, a `kyc.decision_changed` event. */
  payload: string;
}

/** One attempt at sending a message. */
export interface DeliveryAttempt {
  attempt: number;
  startedAtMs: number;
  /** Null while in flight, and for an interrupted attempt. */
  durationMs: number | null;
  statusCode: number | null;
  error: string | null;
  /** The first KiB of the answer's body as text (null: no answer, or an empty one). Raw: escape it to show it. */
  responseExcerpt: string | null;
  /** The request headers sent, each `webhook-signature` masked (`v1,***`); null for attempts before they were kept. */
  requestHeaders: Record<string, string> | null;
  /** The sender stopped (a crash, a kill) before the attempt's outcome was recorded. */
  interrupted: boolean;
}

export interface DeliveryDetail extends DeliveryView {
  attemptLog: DeliveryAttempt[];
}

/** What `claimDeliveries` leases. */
export interface ClaimDeliveriesOptions {
  limit: number;
  leaseMs: number;
  nowMs: number;
  /**
   * Most messages of one endpoint being sent at once, counting those other senders hold: a slow
   * endpoint then cannot take every slot. Default: no per-endpoint limit.
   */
  perEndpoint?: number;
}

/** A message leased for sending. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  url: string;
  /** Every secret valid now, newest first. */
  secrets: string[];
  referenceId: string;
  payload: string;
  /** This attempt's number (1 on the first). */
  attempt: number;
  leaseToken: string;
}

/** How an attempt went. */
export interface DeliveryResult {
  ok: boolean;
  /** Null when no response came (refused, timed out). */
  statusCode: number | null;
  /** Short: `HTTP 400`, `no answer within 10000 ms`, `connection failed (ECONNREFUSED)`. */
  error: string | null;
  durationMs: number;
  /** The first KiB of the answer's body, as text, for the attempt log. */
  responseExcerpt?: string | null;
  /** The headers sent, signatures masked, for the attempt log. */
  requestHeaders?: Record<string, string> | null;
}

/** What "send now" did to a message. */
export type SendNowOutcome = 'queued_now' | 'not_found' | 'not_pending';

/** Which messages a recovery puts back in the queue. */
export interface RecoverDeliveriesQuery {
  endpointId: string;
  /** Messages created at or after this time. */
  sinceMs: number;
}

/** What removing an endpoint removed. */
export interface RemovedEndpoint {
  removed: boolean;
  /** Its messages (and their attempts), removed with it. */
  messages: number;
}

export interface ListDeliveriesQuery {
  status?: DeliveryStatus;
  endpointId?: string;
  referenceId?: string;
  /** 1–500, default 50. */
  limit?: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export interface DeliveryPage {
  deliveries: DeliveryView[];
  nextCursor: string | null;
}

export interface DeliveryStats {
  pending: number;
  sending: number;
  delivered: number;
  dead: number;
  /** Created-at of the oldest message not yet delivered nor dead; null when none. */
  oldestUndeliveredAtMs: number | null;
}

/** The outbox half of the store. */
export interface OutboxStore {
  /** Adds or replaces an endpoint (by id). */
  putEndpoint(endpoint: AppEndpoint): Promise<void>;
  listEndpoints(): Promise<AppEndpoint[]>;
  /**
   * Leases up to `limit` due messages. Per endpoint, a user's messages go one at a time in the order
   * they were written: a message waits while an older one of the same endpoint and user is pending
   * or being sent, so a newer decision never arrives before an older one that is still retrying.
   */
  claimDeliveries(options: ClaimDeliveriesOptions): Promise<ClaimedDelivery[]>;
  /** Records an attempt: delivered, pending again at `retryAtMs`, or dead when `retryAtMs` is null. */
  finishDelivery(
    claim: ClaimedDelivery,
    result: DeliveryResult,
    retryAtMs: number | null,
    nowMs: number,
  ): Promise<boolean>;
  listDeliveries(query: ListDeliveriesQuery): Promise<DeliveryPage>;
  getDelivery(id: string): Promise<DeliveryDetail | null>;
  /** Sends a delivered or dead message again, with a fresh set of attempts and the same id. */
  replayDelivery(id: string, nowMs: number): Promise<ReplayOutcome>;
  /** Makes a pending message (waiting for its retry) due now, keeping its attempt count. */
  sendDeliveryNow(id: string, nowMs: number): Promise<SendNowOutcome>;
  /**
   * Puts back in the queue, due now, every message of an endpoint created since a time that failed:
   * dead ones with a fresh set of attempts (as a replay), pending ones waiting for a retry as they
   * are. Resolves with how many.
   */
  recoverDeliveries(query: RecoverDeliveriesQuery, nowMs: number): Promise<number>;
  /** Deletes an endpoint with its messages and their attempts. */
  removeEndpoint(id: string): Promise<RemovedEndpoint>;
  deliveryStats(): Promise<DeliveryStats>;
  /** Calls `listener` when this process committed new messages. Returns an unsubscribe. */
  onDeliveriesAvailable(listener: () => void): () => void;
}
