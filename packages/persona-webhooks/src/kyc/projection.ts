/**
 * The built-in KYC projection: a pure function from one event to the store updates it implies. It
 * reads only ids, statuses, resolutions, match flags and timestamps, so no personal data (names,
 * birthdates, addresses, matched list entries, `fields`) can reach the read model. Ordering is not
 * decided here: each update carries the event's created-at and id, and the store applies "newest wins"
 * in SQL, so events may be projected in any order.
 */
import type { PersonaEvent } from '../events/event.js';
import { allRelated, firstRelatedId, relatedId } from '../events/relationships.js';
import type { LinkedKind, LinksUpdate, ProjectionUpdate } from './projection-update.js';
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
  if (object.type.startsWith('verification/')) return [projectVerification(event)];
  const updates = objectUpdates(event);
  const links = linksOf(event);
  if (links) updates.push(links);
  return updates;
}

function objectUpdates(event: PersonaEvent): ProjectionUpdate[] {
  const { type } = event.object;
  if (type === 'inquiry') return projectInquiry(event);
  if (type === 'transaction') return projectTransaction(event);
  if (type === 'case') return projectCase(event);
  if (type.startsWith('report/')) return [projectReport(event)];
  if (type === 'account') return projectAccount(event);
  return [];
}

/** What kind of object a resource type is, for links; null for kinds the decision does not read. */
function linkedKind(type: string): LinkedKind | null {
  if (type === 'inquiry' || type === 'transaction' || type === 'case' || type === 'account') return type;
  return type.startsWith('report/') ? 'report' : null;
}

/** A resource identifier without its `type`: told by its relationship's name (`reports`, `account`). */
const KIND_BY_RELATIONSHIP: Readonly<Record<string, LinkedKind>> = {
  inquiry: 'inquiry',
  inquiries: 'inquiry',
  transaction: 'transaction',
  transactions: 'transaction',
  txns: 'transaction',
  case: 'case',
  cases: 'case',
  report: 'report',
  reports: 'report',
  account: 'account',
  accounts: 'account',
};

/**
 * Every documented link of the event's object (case → inquiries, accounts, reports, transactions;
 * inquiry → reports, transactions (its account is the inquiry row's); report → inquiry, account(s),
 * transaction; transaction → account, inquiries), read generically from the relationships so a new
 * relationship name still counts. The envelope's related inquiry and account are included: an
 * allowlisted event may keep only those.
 */
function linksOf(event: PersonaEvent): LinksUpdate | null {
  const objectKind = linkedKind(event.object.type);
  if (objectKind === null) return null;
  const seen = new Set<string>();
  const related: LinksUpdate['related'] = [];
  const add = (id: string | null, kind: LinkedKind | null | undefined) => {
    // An inquiry's one account is its row's `account_id` (the inquiry update carries it): kept there, the
    // most frequent event writes no link rows.
    if (objectKind === 'inquiry' && kind === 'account') return;
    if (id === null || !kind || id === event.object.id || seen.has(id)) return;
    seen.add(id);
    related.push({ id, kind });
  };
  for (const resource of allRelated(event.object.relationships)) {
    add(resource.id, resource.type ? linkedKind(resource.type) : KIND_BY_RELATIONSHIP[resource.name]);
  }
  add(event.inquiryId, 'inquiry');
  add(event.accountId, 'account');
  if (related.length === 0) return null;
  return { kind: 'links', objectId: event.object.id, objectKind, related };
}

function projectInquiry(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, id: inquiryId } = event.object;
  const redacted = event.name === 'inquiry.redacted';
  const updates: ProjectionUpdate[] = [
    {
      kind: 'inquiry',
      inquiryId,
      referenceId: event.referenceId,
      accountId: relatedId(event.object.relationships, 'account') ?? event.accountId,
      // The event says what happened even where the payload's status is spelled otherwise
      // (`marked-for-review`, or `completed` in some API versions): a review is `needs_review`.
      status:
        event.name === 'inquiry.marked-for-review'
          ? 'needs_review'
          : normaliseInquiryStatus(attributes['status']),
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
      // Cases carry no documented reference id (see parse-envelope.ts): display only, never a link.
      referenceId: null,
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
  const status = normaliseInquiryStatus(attributes['status']);
  const hasMatch = reportMatch(event);
  const matched = hasMatch === true || event.name.endsWith('.matched');
  return {
    kind: 'report',
    reportId,
    reportType: type.slice('report/'.length),
    // Reports carry no documented reference id (see parse-envelope.ts): they reach users by links.
    referenceId: null,
    accountId: relatedId(relationships, 'account') ?? event.accountId,
    inquiryId: relatedId(relationships, 'inquiry') ?? event.inquiryId,
    status,
    hasMatch,
    isContinuous: booleanOrNull(attributes['isContinuous']),
    statusAtMs: event.createdAtMs,
    eventId: event.id,
    matched,
    // Only a finished run that says "no match", or a reviewer's dismissal, clears a match: an errored
    // run, a pending one, or one that does not say (`has-match` absent) never does.
    cleared:
      !matched &&
      (event.name.endsWith('.dismissed') ||
        (hasMatch === false && (status === 'ready' || status === 'completed'))),
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

function projectTransaction(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, id: transactionId } = event.object;
  const redacted = event.name === 'transaction.redacted';
  const updates: ProjectionUpdate[] = [
    {
      kind: 'transaction',
      transactionId,
      referenceId: event.referenceId,
      status: normaliseInquiryStatus(attributes['status']),
      statusAtMs: event.createdAtMs,
      eventId: event.id,
      transactionCreatedAtMs: epochMs(attributes['createdAt']),
      redactedAtMs: redactedAtMs(event, redacted),
    },
  ];
  if (redacted) updates.push({ kind: 'scrub', inquiryId: null, accountId: null, objectId: transactionId });
  return updates;
}

function projectAccount(event: PersonaEvent): ProjectionUpdate[] {
  const { attributes, id: accountId } = event.object;
  const redacted = event.name === 'account.redacted';
  const updates: ProjectionUpdate[] = [
    {
      kind: 'account',
      accountId,
      referenceId: event.referenceId,
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

function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}
