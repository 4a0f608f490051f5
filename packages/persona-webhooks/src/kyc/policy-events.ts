/**
 * The Persona events a KYC policy reads: what a webhook must be subscribed to for the decision to see
 * everything it decides from. `webhooks create` subscribes to this list, the dashboard's setup guide
 * shows it and `doctor` fails naming what a webhook lacks.
 */
import { PERSONA_EVENT_NAMES } from '../events/names.js';
import { type KycPolicySettings, resolveKycPolicySettings } from './policy-settings.js';

/** Inquiry events that set a status the decision reads, and the redaction. */
const INQUIRY_EVENTS = [
  'inquiry.created',
  'inquiry.started',
  'inquiry.completed',
  'inquiry.approved',
  'inquiry.declined',
  'inquiry.failed',
  'inquiry.expired',
  'inquiry.marked-for-review',
  'inquiry.redacted',
];

/** Report outcomes that carry a match, clear one, or say a run errored. */
const REPORT_OUTCOMES = ['ready', 'matched', 'dismissed', 'errored'];

/**
 * Every documented event the policy reads: inquiry decisions, every case, transaction and account
 * event, and every report type's runs except the types the settings declare informational.
 *
 * @example
 * kycPolicyEvents({ informationalReportTypes: ['email-address'] }); // ['account.added-relation', …]
 */
export function kycPolicyEvents(settings: KycPolicySettings = {}): string[] {
  const informational = resolveKycPolicySettings(settings).informationalReportTypes;
  return PERSONA_EVENT_NAMES.filter((name) => {
    if (name.startsWith('inquiry.')) return INQUIRY_EVENTS.includes(name);
    if (name.startsWith('case.') || name.startsWith('transaction.') || name.startsWith('account.'))
      return true;
    if (!name.startsWith('report/')) return false;
    const dot = name.lastIndexOf('.');
    const type = name.slice('report/'.length, dot);
    return REPORT_OUTCOMES.includes(name.slice(dot + 1)) && !informational.has(type);
  });
}

/**
 * The events of `required` a webhook's enabled events lack (`*` subscribes to all).
 *
 * @example
 * missingPolicyEvents(webhook.enabledEvents, kycPolicyEvents()); // ['case.resolved', …]
 */
export function missingPolicyEvents(enabled: readonly string[], required: readonly string[]): string[] {
  if (enabled.includes('*')) return [];
  const have = new Set(enabled);
  return required.filter((name) => !have.has(name));
}
