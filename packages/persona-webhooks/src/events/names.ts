/**
 * Every event name Persona documents, in one list. Handler types derive from it, so a name added here
 * is immediately typed. The list grows on Persona's side without notice: names missing here still
 * parse and dispatch through the generic (untyped) path.
 */

/** Report types whose `report/<type>.ready|matched|errored` events are known by name. */
export const KNOWN_REPORT_TYPES = [
  'watchlist',
  'adverse-media',
  'politically-exposed-person',
  'address-lookup',
  'email-address',
  'phone-number',
  'profile',
  'business-watchlist',
] as const;

/**
 * All documented Persona webhook event names.
 *
 * Report names are spelled out rather than generated so the tuple stays a literal type.
 *
 * @example
 * PERSONA_EVENT_NAMES.includes('inquiry.approved'); // true
 */
export const PERSONA_EVENT_NAMES = [
  'account.created',
  'account.redacted',
  'account.archived',
  'account.restored',
  'account.consolidated',
  'account.tag-added',
  'account.tag-removed',
  'account.status-updated',
  'account.updated-fields',
  'account.updated-tags',
  'case.created',
  'case.assigned',
  'case.resolved',
  'case.reopened',
  'case.updated',
  'case.status-updated',
  'case.redacted',
  'document.created',
  'document.submitted',
  'document.processed',
  'document.errored',
  'inquiry.created',
  'inquiry.started',
  'inquiry.completed',
  'inquiry.failed',
  'inquiry.expired',
  'inquiry.marked-for-review',
  'inquiry.approved',
  'inquiry.declined',
  'inquiry.transitioned',
  'inquiry.redacted',
  'inquiry.updated-tags',
  'inquiry.reusable-persona-created',
  'inquiry.reusable-persona-used',
  'inquiry-session.started',
  'inquiry-session.expired',
  'inquiry-session.canceled',
  'report/watchlist.ready',
  'report/watchlist.matched',
  'report/watchlist.errored',
  'report/adverse-media.ready',
  'report/adverse-media.matched',
  'report/adverse-media.errored',
  'report/politically-exposed-person.ready',
  'report/politically-exposed-person.matched',
  'report/politically-exposed-person.errored',
  'report/address-lookup.ready',
  'report/address-lookup.matched',
  'report/address-lookup.errored',
  'report/email-address.ready',
  'report/email-address.matched',
  'report/email-address.errored',
  'report/phone-number.ready',
  'report/phone-number.matched',
  'report/phone-number.errored',
  'report/profile.ready',
  'report/profile.matched',
  'report/profile.errored',
  'report/business-watchlist.ready',
  'report/business-watchlist.matched',
  'report/business-watchlist.errored',
  'selfie.created',
  'selfie.submitted',
  'selfie.processed',
  'selfie.errored',
  'transaction.created',
  'transaction.redacted',
  'transaction.status-updated',
  'transaction.labeled',
  'verification.created',
  'verification.submitted',
  'verification.passed',
  'verification.failed',
  'verification.requires-retry',
  'verification.canceled',
] as const satisfies readonly (
  | `${'account' | 'case' | 'document' | 'inquiry' | 'inquiry-session' | 'selfie' | 'transaction' | 'verification'}.${string}`
  | `report/${(typeof KNOWN_REPORT_TYPES)[number]}.${'ready' | 'matched' | 'errored'}`
)[];

/** A documented event name, e.g. `'inquiry.approved'`. */
export type KnownEventName = (typeof PERSONA_EVENT_NAMES)[number];

/** A report type with documented events, e.g. `'watchlist'`. */
export type KnownReportType = (typeof KNOWN_REPORT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(PERSONA_EVENT_NAMES);

/**
 * Whether `name` is a documented event name. False is not an error: Persona adds events over time.
 *
 * @example
 * if (!isKnownEventName(event.name)) logger.info({ name: event.name }, 'new Persona event type');
 */
export function isKnownEventName(name: string): name is KnownEventName {
  return KNOWN.has(name);
}
