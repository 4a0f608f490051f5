/**
 * The built-in KYC projection: a pure function from one event to the store updates it implies. It
 * reads only ids, statuses and timestamps, so no personal data (names, birthdates, addresses, `fields`)
 * can reach the read model. Ordering is not decided here: each update carries the event's created-at
 * and id, and the store applies "newest wins" in SQL, so events may be projected in any order.
 */
import type { PersonaEvent } from '../events/event.js';
import { relatedId } from '../events/relationships.js';
import type { ProjectionUpdate } from './projection-update.js';
import { normaliseInquiryStatus } from './status.js';

/**
 * The updates one event asks the store to apply; `[]` for events the projection does not track.
 *
 * @example
 * const parsed = parseEvent(body);
 * if (parsed.ok) await store.complete(claim, projectKyc(parsed.event), Date.now());
 */
export function projectKyc(event: PersonaEvent): ProjectionUpdate[] {
  const { object } = event;
  if (object.type === 'inquiry') return projectInquiry(event);
  if (object.type.startsWith('verification/')) return [projectVerification(event)];
  if (object.type === 'account' && event.name === 'account.redacted') {
    return [{ kind: 'scrub', inquiryId: null, accountId: object.id }];
  }
  return [];
}

function projectInquiry(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, id: inquiryId } = event.object;
  const redacted = event.name === 'inquiry.redacted';
  // A redaction event whose allowlist dropped `redacted-at` is still a redaction; its created-at is when.
  const redactedAtMs = epochMs(attributes['redactedAt']) ?? (redacted ? event.createdAtMs : null);
  const updates: ProjectionUpdate[] = [
    {
      kind: 'inquiry',
      inquiryId,
      referenceId: nonEmptyString(attributes['referenceId']),
      accountId: relatedId(event.object.relationships, 'account') ?? event.accountId,
      status: normaliseInquiryStatus(attributes['status']),
      statusAtMs: event.createdAtMs,
      eventId: event.id,
      inquiryCreatedAtMs: epochMs(attributes['createdAt']),
      redactedAtMs,
    },
  ];
  if (redacted) updates.push({ kind: 'scrub', inquiryId, accountId: null });
  return updates;
}

function projectVerification(event: PersonaEvent): ProjectionUpdate {
  const { object } = event;
  return {
    kind: 'verification',
    verificationId: object.id,
    inquiryId: relatedId(object.relationships, 'inquiry') ?? event.inquiryId,
    verificationType: object.type,
    // Verification statuses share the inquiry statuses' spelling problems (`requires-retry`).
    status: normaliseInquiryStatus(object.attributes['status']),
    statusAtMs: event.createdAtMs,
    eventId: event.id,
  };
}

function epochMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}
