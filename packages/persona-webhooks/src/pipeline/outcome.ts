/**
 * Every request ends in exactly one outcome. The server counts them in
 * `persona_webhook_requests_total{outcome}` and logs one line per request; nothing else in the outcome
 * carries payload data.
 */
export type RequestOutcome =
  | 'accepted'
  | 'duplicate'
  /** A correctly signed ping (`persona-webhooks doctor`): answered 200, nothing stored. */
  | 'ping'
  | 'quarantined'
  | 'invalid_signature'
  | 'malformed'
  | 'too_large'
  | 'method_not_allowed'
  | 'handler_failed'
  | 'unavailable'
  | 'aborted'
  | 'busy'
  | 'error';

export interface OutcomeReport {
  outcome: RequestOutcome;
  status: number;
  /** Error code of the response, when it was an error. */
  code?: string;
  /** Which signature check failed, for `invalid_signature`. */
  reason?: string;
  eventId?: string;
  eventName?: string;
  durationMs: number;
}

/** Maps an error code to the outcome it is counted as. */
export function outcomeForCode(code: string): RequestOutcome {
  switch (code) {
    case 'invalid_signature':
      return 'invalid_signature';
    case 'invalid_event':
      return 'malformed';
    case 'payload_too_large':
      return 'too_large';
    case 'method_not_allowed':
      return 'method_not_allowed';
    case 'handler_failed':
      return 'handler_failed';
    case 'store_unavailable':
      return 'unavailable';
    case 'request_aborted':
      return 'aborted';
    case 'receiver_busy':
      return 'busy';
    default:
      return 'error';
  }
}
