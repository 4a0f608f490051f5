/** The admin API's JSON shapes: ISO times, stable field names, no payload data except on request. */
import type {
  EventDetail,
  EventSummary,
  InquiryView,
  KycView,
  Timeline,
  VerificationView,
} from 'persona-webhooks';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

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

export function kycJson(kyc: KycView, verifications: readonly VerificationView[] = []) {
  return {
    referenceId: kyc.referenceId,
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
    // The decision and its reasons as the store keeps them (the full API shape is issue 17's service part).
    decision: kyc.decision,
    reasons: kyc.reasons,
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
    attemptLog: event.attemptLog.map((attempt) => ({
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

function parseOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
