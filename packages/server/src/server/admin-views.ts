/** The admin API's JSON shapes: ISO times, stable field names, no payload data except on request. */
import type { EventDetail, EventSummary, InquiryView, KycView } from 'persona-webhooks';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function kycJson(kyc: KycView) {
  return {
    referenceId: kyc.referenceId,
    status: kyc.status,
    inquiryId: kyc.inquiryId,
    updatedAt: iso(kyc.updatedAtMs),
    inquiries: kyc.inquiries.map((inquiry) => ({
      inquiryId: inquiry.inquiryId,
      status: inquiry.status,
      statusAt: iso(inquiry.statusAtMs),
    })),
  };
}

export function inquiryJson(inquiry: InquiryView) {
  return {
    inquiryId: inquiry.inquiryId,
    referenceId: inquiry.referenceId,
    accountId: inquiry.accountId,
    status: inquiry.status,
    statusAt: iso(inquiry.statusAtMs),
    redactedAt: iso(inquiry.redactedAtMs),
    updatedAt: iso(inquiry.updatedAtMs),
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
    source: event.source,
  };
}

export function eventDetailJson(event: EventDetail) {
  return {
    ...eventSummaryJson(event),
    objectType: event.objectType,
    objectId: event.objectId,
    runAt: iso(event.runAtMs),
    attemptLog: event.attemptLog.map((attempt) => ({
      attempt: attempt.attempt,
      startedAt: iso(attempt.startedAtMs),
      finishedAt: iso(attempt.finishedAtMs),
      outcome: attempt.outcome,
      error: attempt.error,
    })),
    payload: event.payload === null ? null : parseOrText(event.payload),
    payloadPurged: event.payload === null,
  };
}

function parseOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}
