/**
 * The built-in KYC projection: a pure function from one event to the store updates it implies. It
 * reads only ids, statuses, resolutions, match flags and timestamps, so no personal data (names,
 * birthdates, addresses, matched list entries, `fields`) can reach the read model. Ordering is not
 * decided here: each update carries the event's created-at and id, and the store applies "newest wins"
 * in SQL, so events may be projected in any order.
 */
import type { PersonaEvent } from '../events/event.js';
import { firstRelatedId, relatedId } from '../events/relationships.js';
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
  if (object.type === 'case') return projectCase(event);
  if (object.type.startsWith('report/')) return [projectReport(event)];
  if (object.type === 'account') return projectAccount(event);
  return [];
}

function projectInquiry(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, id: inquiryId } = event.object;
  const redacted = event.name === 'inquiry.redacted';
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
      redactedAtMs: redactedAtMs(event, redacted),
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

function projectCase(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, relationships, id: caseId } = event.object;
  const redacted = event.name === 'case.redacted';
  const updates: ProjectionUpdate[] = [
    {
      kind: 'case',
      caseId,
      referenceId: nonEmptyString(attributes['referenceId']),
      accountId: firstRelatedId(relationships, 'accounts') ?? event.accountId,
      inquiryId: firstRelatedId(relationships, 'inquiries') ?? event.inquiryId,
      status: caseStatus(event),
      resolution: normaliseInquiryStatus(attributes['resolution']),
      resolvedAtMs: epochMs(attributes['resolvedAt']),
      statusAtMs: event.createdAtMs,
      eventId: event.id,
      redactedAtMs: redactedAtMs(event, redacted),
    },
  ];
  if (redacted) updates.push({ kind: 'scrub', inquiryId: null, accountId: null, objectId: caseId });
  return updates;
}

/** The case's status; a `case.resolved` / `case.reopened` whose allowlist dropped it says it by name. */
function caseStatus(event: PersonaEvent): string | null {
  const status = normaliseInquiryStatus(event.object.attributes['status']);
  if (status !== null) return status;
  if (event.name === 'case.resolved') return 'resolved';
  if (event.name === 'case.reopened' || event.name === 'case.created') return 'open';
  return null;
}

function projectReport(event: PersonaEvent): ProjectionUpdate {
  const { attributes, relationships, id: reportId, type } = event.object;
  return {
    kind: 'report',
    reportId,
    reportType: type.slice('report/'.length),
    referenceId: nonEmptyString(attributes['referenceId']),
    accountId: relatedId(relationships, 'account') ?? event.accountId,
    inquiryId: relatedId(relationships, 'inquiry') ?? event.inquiryId,
    status: normaliseInquiryStatus(attributes['status']),
    hasMatch: reportMatch(event),
    isContinuous: booleanOrNull(attributes['isContinuous']),
    statusAtMs: event.createdAtMs,
    eventId: event.id,
  };
}

/** `has-match` as sent; `.matched` means a match and `.dismissed` a cleared one when it is absent. */
function reportMatch(event: PersonaEvent): boolean | null {
  const sent = booleanOrNull(event.object.attributes['hasMatch']);
  if (sent !== null) return sent;
  if (event.name.endsWith('.matched')) return true;
  if (event.name.endsWith('.dismissed')) return false;
  return null;
}

function projectAccount(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, id: accountId } = event.object;
  const redacted = event.name === 'account.redacted';
  const updates: ProjectionUpdate[] = [
    {
      kind: 'account',
      accountId,
      referenceId: nonEmptyString(attributes['referenceId']),
      status: normaliseInquiryStatus(attributes['accountStatus'] ?? attributes['status']),
      statusAtMs: event.createdAtMs,
      eventId: event.id,
      redactedAtMs: redactedAtMs(event, redacted),
    },
  ];
  if (redacted) updates.push({ kind: 'scrub', inquiryId: null, accountId });
  return updates;
}

/** A redaction event whose allowlist dropped `redacted-at` is still a redaction; its created-at is when. */
function redactedAtMs(event: PersonaEvent, redacted: boolean): number | null {
  return epochMs(event.object.attributes['redactedAt']) ?? (redacted ? event.createdAtMs : null);
}

function epochMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}
