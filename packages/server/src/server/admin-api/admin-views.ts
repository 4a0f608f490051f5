/**
 * The admin API's JSON shapes: ISO times, stable field names, no payload data except on request; for
 * the outbox, messages with the decision read from their body and endpoints without any secret value.
 */
import type {
  AccountFact,
  AppEndpoint,
  CaseFact,
  DeliveryDetail,
  DeliveryView,
  EventDetail,
  EventSummary,
  InquiryView,
  KycReason,
  KycView,
  ReportFact,
  Timeline,
  TransactionFact,
  VerificationView,
} from 'persona-webhooks';
import { isKnownEventName } from 'persona-webhooks';
import { maskEndpointUrl } from '../../outbound/endpoint-url.js';

/** The name a signed body that is not a Persona event is kept under (dead, with the reason). */
const MALFORMED_NAME = 'malformed';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
/** When an event set a fact; a fact no event has set yet (only its ids are known) has no time, not 1970. */
const setAt = (ms: number, eventId: string) => (eventId === '' ? null : iso(ms));

export function verificationJson(verification: VerificationView) {
  return {
    verificationId: verification.verificationId,
    type: verification.verificationType,
    status: verification.status,
    statusAt: iso(verification.statusAtMs),
  };
}

/** The verifications of one inquiry out of a list spanning several. */
function verificationsOf(inquiryId: string, verifications: readonly VerificationView[]) {
  return verifications.filter((v) => v.inquiryId === inquiryId).map(verificationJson);
}

/** A reason of the decision: its fact, the event that set it and when. */
export function reasonJson(reason: KycReason) {
  return {
    code: reason.code,
    fact: reason.fact,
    id: reason.id,
    status: reason.status,
    eventId: reason.eventId,
    at: setAt(reason.atMs, reason.eventId),
    message: reason.message,
    setting: reason.setting ?? null,
  };
}

/** A case as the decision reads it: ids, status, resolution, times, the event that set them. */
export function caseJson(fact: CaseFact) {
  return {
    caseId: fact.caseId,
    accountId: fact.accountId,
    inquiryId: fact.inquiryId,
    status: fact.status,
    resolution: fact.resolution,
    statusAt: setAt(fact.statusAtMs, fact.statusEventId),
    statusEventId: fact.statusEventId,
    resolvedAt: iso(fact.resolvedAtMs),
    redactedAt: iso(fact.redactedAtMs),
  };
}

/** A report run: its type, whether it matched, whether it is monitored; never the matched entries. */
export function reportJson(fact: ReportFact) {
  return {
    reportId: fact.reportId,
    type: fact.reportType,
    accountId: fact.accountId,
    inquiryId: fact.inquiryId,
    status: fact.status,
    hasMatch: fact.hasMatch,
    isContinuous: fact.isContinuous,
    statusAt: setAt(fact.statusAtMs, fact.statusEventId),
    statusEventId: fact.statusEventId,
    /** The newest run that found a match, and the newest that cleared one (a clean run, a dismissal). */
    matchedAt: iso(fact.matchAtMs),
    clearedAt: iso(fact.clearedAtMs),
  };
}

/** A transaction as the decision reads it: its status (the organisation's own names) and times. */
export function transactionJson(fact: TransactionFact) {
  return {
    transactionId: fact.transactionId,
    status: fact.status,
    statusAt: setAt(fact.statusAtMs, fact.statusEventId),
    statusEventId: fact.statusEventId,
    createdAt: iso(fact.transactionCreatedAtMs),
    redactedAt: iso(fact.redactedAtMs),
  };
}

/** An account: its status and the event that set it. */
export function accountJson(fact: AccountFact) {
  return {
    accountId: fact.accountId,
    status: fact.status,
    statusAt: setAt(fact.statusAtMs, fact.statusEventId),
    statusEventId: fact.statusEventId,
    redactedAt: iso(fact.redactedAtMs),
  };
}

/**
 * A user: the decision and its reasons, then the newest inquiry's status (kept as it was before the
 * decision existed, so older clients read on), the inquiries with their verifications, and the cases,
 * reports and accounts the decision was made from.
 */
export function kycJson(kyc: KycView, verifications: readonly VerificationView[] = []) {
  return {
    referenceId: kyc.referenceId,
    decision: kyc.decision,
    reasons: kyc.reasons.map(reasonJson),
    status: kyc.status,
    inquiryId: kyc.inquiryId,
    updatedAt: iso(kyc.updatedAtMs),
    inquiries: kyc.inquiries.map((inquiry) => ({
      inquiryId: inquiry.inquiryId,
      status: inquiry.status,
      statusAt: iso(inquiry.statusAtMs),
      createdAt: iso(inquiry.inquiryCreatedAtMs),
      redactedAt: iso(inquiry.redactedAtMs),
      verifications: verificationsOf(inquiry.inquiryId, verifications),
    })),
    transactions: kyc.transactions.map(transactionJson),
    cases: kyc.cases.map(caseJson),
    reports: kyc.reports.map(reportJson),
    accounts: kyc.accounts.map(accountJson),
  };
}

export function inquiryJson(inquiry: InquiryView, verifications: readonly VerificationView[] = []) {
  return {
    inquiryId: inquiry.inquiryId,
    referenceId: inquiry.referenceId,
    accountId: inquiry.accountId,
    status: inquiry.status,
    statusAt: iso(inquiry.statusAtMs),
    createdAt: iso(inquiry.inquiryCreatedAtMs),
    redactedAt: iso(inquiry.redactedAtMs),
    updatedAt: iso(inquiry.updatedAtMs),
    verifications: verificationsOf(inquiry.inquiryId, verifications),
  };
}

export function eventSummaryJson(event: EventSummary) {
  return {
    id: event.id,
    name: event.name,
    status: event.status,
    attempts: event.attempts,
    createdAt: event.createdAt,
    receivedAt: iso(event.receivedAtMs),
    lastError: event.lastError,
    inquiryId: event.inquiryId,
    referenceId: event.referenceId,
    source: event.source,
    // A name Persona does not document (a new event, or a typo in a test send) is processed like any
    // other, with no handler of its own: said, so "done" is not read as "handled". Bodies that were not
    // events at all are already named `malformed`.
    unknownName: event.name !== MALFORMED_NAME && !isKnownEventName(event.name),
  };
}

export function timelineJson(timeline: Timeline) {
  return { events: timeline.events.map(eventSummaryJson), truncated: timeline.truncated };
}

/** Why an event has no payload any more, when it has none. */
export interface PayloadRemoval {
  state: 'redacted' | 'purged';
  /** When: the redaction's time, or roughly when retention removed it. */
  atMs: number | null;
}

export function eventDetailJson(event: EventDetail, removal: PayloadRemoval | null = null) {
  return {
    ...eventSummaryJson(event),
    objectType: event.objectType,
    objectId: event.objectId,
    runAt: iso(event.runAtMs),
    attemptLog: numberAttempts(event.attemptLog).map(({ attempt, number, run, replayed }) => ({
      number,
      run,
      replayed,
      attempt: attempt.attempt,
      startedAt: iso(attempt.startedAtMs),
      finishedAt: iso(attempt.finishedAtMs),
      durationMs: attempt.finishedAtMs === null ? null : attempt.finishedAtMs - attempt.startedAtMs,
      outcome: attempt.outcome,
      error: attempt.error,
    })),
    payload: event.payload === null ? null : parseOrText(event.payload),
    payloadPurged: event.payload === null,
    payloadState: event.payload !== null ? 'present' : (removal?.state ?? 'purged'),
    payloadRemovedAt: event.payload === null ? iso(removal?.atMs ?? null) : null,
  };
}

/**
 * A replay restarts an event's attempt counter (it gets a full set of retries) while its history stays:
 * numbered by `attempt` alone, a replayed event shows two "attempt 1"s. `number` counts every run of the
 * handlers in order; `run` is 1 for the original delivery and one more per replay; `replayed` marks the
 * first attempt after each replay. The log is in insertion order, so a counter that does not go up is
 * where a replay happened.
 */
export function numberAttempts<T extends { attempt: number }>(
  attempts: readonly T[],
): Array<{ attempt: T; number: number; run: number; replayed: boolean }> {
  let run = 1;
  return attempts.map((attempt, index) => {
    const previous = attempts[index - 1];
    const replayed = previous !== undefined && attempt.attempt <= previous.attempt;
    if (replayed) run += 1;
    return { attempt, number: index + 1, run, replayed };
  });
}

function parseOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/* The outbox: outbound `kyc.decision_changed` messages, their attempts, the application endpoints. */

/** `data.decision` and `data.previousDecision` of a `kyc.decision_changed` body, null where absent. */
function decisionsOf(payload: unknown): { decision: string | null; previousDecision: string | null } {
  const data = (payload as { data?: { decision?: unknown; previousDecision?: unknown } } | null)?.data;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return { decision: text(data?.decision), previousDecision: text(data?.previousDecision) };
}

/** One message in a list: where it goes, for whom, what it says, how its sending went. */
export function deliveryJson(delivery: DeliveryView) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    referenceId: delivery.referenceId,
    status: delivery.status,
    attempts: delivery.attempts,
    createdAt: iso(delivery.createdAtMs),
    nextAttemptAt: iso(delivery.nextAttemptAtMs),
    deliveredAt: iso(delivery.deliveredAtMs),
    lastStatusCode: delivery.lastStatusCode,
    lastError: delivery.lastError,
    ...decisionsOf(parseOrText(delivery.payload)),
  };
}

/** One message with its body (it carries no personal data) and every attempt, oldest first. */
export function deliveryDetailJson(delivery: DeliveryDetail) {
  const payload = parseOrText(delivery.payload);
  return {
    ...deliveryJson(delivery),
    payload,
    attemptLog: delivery.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: iso(attempt.startedAtMs),
      durationMs: attempt.durationMs,
      statusCode: attempt.statusCode,
      error: attempt.error,
      // As text: JSON escapes it on the wire; the dashboard and the CLI escape it when they show it.
      responseExcerpt: attempt.responseExcerpt,
      requestHeaders: attempt.requestHeaders,
      interrupted: attempt.interrupted,
    })),
  };
}

/** An endpoint's backlog, as the deliveries route counts it (`countedUpTo` bounds each count). */
export interface EndpointBacklog {
  /** Waiting to be sent or retried, and being sent now. */
  pending: number;
  dead: number;
  /** True when a count reached its bound: there are at least that many. */
  countsCapped: boolean;
  /** The newest failed attempt's error and status code among the messages not delivered. */
  lastError: string | null;
  lastStatusCode: number | null;
}

/**
 * An endpoint without its secrets' values (only when each expires), its URL normalised with query values
 * and any password masked, and —
 * when counted — its backlog and newest error, so a failing endpoint shows at a glance.
 */
export function endpointJson(endpoint: AppEndpoint, backlog?: EndpointBacklog) {
  return {
    id: endpoint.id,
    url: maskEndpointUrl(endpoint.url),
    enabled: endpoint.enabled,
    source: endpoint.source,
    createdAt: iso(endpoint.createdAtMs),
    secrets: endpoint.secrets.map((secret) => ({ expiresAt: iso(secret.expiresAtMs) })),
    ...(backlog ? { backlog } : {}),
  };
}
