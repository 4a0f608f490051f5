/**
 * What a webhook must be for this receiver to keep every user's KYC status right: the events the
 * projection needs, and the API versions and key inflections our parser reads.
 */

/** Events the KYC status is built from: every decision, terminal state and redaction. */
export const KYC_REQUIRED_EVENTS: readonly string[] = [
  'inquiry.approved',
  'inquiry.declined',
  'inquiry.completed',
  'inquiry.failed',
  'inquiry.expired',
  'inquiry.marked-for-review',
  'inquiry.redacted',
  'account.redacted',
];

/** What `webhooks create` subscribes by default: the required events plus the inquiry's start. */
export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [
  'inquiry.created',
  'inquiry.started',
  ...KYC_REQUIRED_EVENTS,
];

/** Oldest and newest dated API versions documented by Persona when this was written; the envelope we parse is the same in all. */
export const OLDEST_PARSED_API_VERSION = '2020-05-18';
export const NEWEST_KNOWN_API_VERSION = '2026-09-29';
export const PARSED_INFLECTIONS: readonly string[] = ['kebab', 'camel', 'snake'];

/** Required events a webhook does not subscribe to (`*` subscribes to all). */
export function missingKycEvents(enabledEvents: readonly string[]): string[] {
  if (enabledEvents.includes('*')) return [];
  return KYC_REQUIRED_EVENTS.filter((name) => !enabledEvents.includes(name));
}
