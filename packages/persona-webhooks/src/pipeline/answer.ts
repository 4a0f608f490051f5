/**
 * What the pipeline answers one request with, and the outcome report (`onOutcome`) built from it.
 */
import { InvalidSignatureError, type PersonaWebhookError } from '../errors.js';
import type { OutcomeReport, RequestOutcome } from './outcome.js';
import type { WebhookResponse } from './response.js';

export interface Answer {
  response: WebhookResponse;
  outcome: RequestOutcome;
  /** The delivered event's id and name, for the outcome report. */
  event?: { id: string; name: string };
  error?: PersonaWebhookError;
}

export const RECEIVED = { received: true } as const;
export const DUPLICATE = { received: true, duplicate: true } as const;
export const PING = { received: true, ping: true } as const;

export function outcomeReport(result: Answer, durationMs: number): OutcomeReport {
  const summary: OutcomeReport = { outcome: result.outcome, status: result.response.status, durationMs };
  if (result.event) {
    summary.eventId = result.event.id;
    summary.eventName = result.event.name;
  }
  if (result.error) {
    summary.code = result.error.code;
    if (result.error instanceof InvalidSignatureError) summary.reason = result.error.reason;
  } else if (result.response.status >= 500) {
    summary.code = 'internal_error';
  }
  return summary;
}
