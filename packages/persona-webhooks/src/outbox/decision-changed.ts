/**
 * The one event the service sends to the customer's own application: a user's decision (or its
 * reasons) changed. Small, and free of Persona payloads and personal data: ids, the decision, the
 * reasons (codes, fact kinds, object and event ids, statuses, times, fixed sentences). Shaped as the
 * Standard Webhooks specification recommends (`type`, `timestamp`, `data`).
 */
import type { KycDecisionValue, KycReason } from '../kyc/decision.js';

/** The `type` of every message. */
export const DECISION_CHANGED_TYPE = 'kyc.decision_changed';

/** A decision change, as the store records it in the transaction that made it. */
export interface DecisionChange {
  referenceId: string;
  decision: KycDecisionValue;
  /** Null the first time the user is decided. */
  previousDecision: KycDecisionValue | null;
  reasons: KycReason[];
  /** The user's most recently created inquiry, when known. */
  inquiryId: string | null;
  /** The Persona event whose processing changed the decision; null for a rebuild after an upgrade. */
  personaEventId: string | null;
  /** When the change was committed, epoch ms. */
  changedAtMs: number;
}

/** The JSON body of a `kyc.decision_changed` message. */
export interface DecisionChangedEvent {
  type: typeof DECISION_CHANGED_TYPE;
  /** When the change happened (ISO 8601). */
  timestamp: string;
  data: {
    referenceId: string;
    decision: KycDecisionValue;
    previousDecision: KycDecisionValue | null;
    reasons: KycReason[];
    inquiryId: string | null;
    personaEventId: string | null;
    changedAt: string;
  };
}

/**
 * The message body for one change.
 *
 * @example
 * JSON.stringify(decisionChangedEvent(change)); // {"type":"kyc.decision_changed",…}
 */
export function decisionChangedEvent(change: DecisionChange): DecisionChangedEvent {
  const changedAt = new Date(change.changedAtMs).toISOString();
  return {
    type: DECISION_CHANGED_TYPE,
    timestamp: changedAt,
    data: {
      referenceId: change.referenceId,
      decision: change.decision,
      previousDecision: change.previousDecision,
      reasons: change.reasons,
      inquiryId: change.inquiryId,
      personaEventId: change.personaEventId,
      changedAt,
    },
  };
}
