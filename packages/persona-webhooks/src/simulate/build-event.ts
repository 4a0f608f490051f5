/**
 * Builds realistic Persona webhook bodies (kebab-case JSON:API envelopes shaped like Persona's documented
 * payloads) for `persona-webhooks send`, the benchmarks and the tests. No personal data: names and
 * addresses are obviously fake.
 */
import { personaId } from './persona-ids.js';

export interface BuildEventOptions {
  /** Event name, e.g. `inquiry.approved`; unknown names produce a generic object. */
  name: string;
  eventId?: string;
  /** The event's created-at. Default: now. */
  createdAt?: Date | string;
  inquiryId?: string;
  /** Your user id, Persona's `reference-id`. `null` leaves it out. */
  referenceId?: string | null;
  accountId?: string;
  /** Overrides the status derived from the event name. */
  status?: string;
  verificationId?: string;
  /** The inquiry's own created-at. Default: the event's created-at. */
  inquiryCreatedAt?: Date | string;
  /** `case.*`: the case id. Default: a new one. */
  caseId?: string;
  /** `case.resolved`: the resolution (`Approved`, `Declined`, or a template's own). Default `Approved`. */
  resolution?: string;
  /** `report/*`: the report id. Default: a new one. */
  reportId?: string;
  /** `report/*`: whether the run found a match. Default: true for `.matched`, else false. */
  hasMatch?: boolean;
  /** `report/*`: continuous monitoring. Default true. */
  isContinuous?: boolean;
  /** `account.*`: the account's `account-status`. */
  accountStatus?: string;
}

export interface BuiltEvent {
  eventId: string;
  name: string;
  createdAt: string;
  /** The JSON body exactly as it will be signed and sent. */
  body: string;
}

/** What each inquiry event says the inquiry's status is, as in Persona's lifecycle table. */
const INQUIRY_STATUS_BY_EVENT: Readonly<Record<string, string>> = {
  created: 'created',
  started: 'pending',
  completed: 'completed',
  failed: 'failed',
  expired: 'expired',
  'marked-for-review': 'needs_review',
  approved: 'approved',
  declined: 'declined',
};

const VERIFICATION_STATUS_BY_EVENT: Readonly<Record<string, string>> = {
  created: 'initiated',
  submitted: 'submitted',
  passed: 'passed',
  failed: 'failed',
  'requires-retry': 'requires_retry',
  canceled: 'canceled',
};

/**
 * @example
 * const { body } = buildEvent({ name: 'inquiry.approved', referenceId: 'user-42' });
 * const header = sign({ secret, body });
 */
export function buildEvent(options: BuildEventOptions): BuiltEvent {
  const eventId = options.eventId ?? personaId('evt');
  const createdAt = iso(options.createdAt ?? new Date());
  const [family = '', action = ''] = splitName(options.name);
  const object =
    family === 'inquiry'
      ? inquiryObject(options, action, createdAt)
      : family === 'verification'
        ? verificationObject(options, action, createdAt)
        : family === 'account'
          ? accountObject(options, createdAt)
          : family === 'case'
            ? caseObject(options, action, createdAt)
            : family.startsWith('report/')
              ? reportObject(options, family, action, createdAt)
              : genericObject(options, family, createdAt);

  const envelope = {
    data: {
      type: 'event',
      id: eventId,
      attributes: {
        name: options.name,
        'created-at': createdAt,
        'redacted-at': null,
        payload: { data: object },
      },
    },
  };
  return { eventId, name: options.name, createdAt, body: JSON.stringify(envelope) };
}

function splitName(name: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}

function iso(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString();
}

function inquiryObject(options: BuildEventOptions, action: string, createdAt: string) {
  const status = options.status ?? INQUIRY_STATUS_BY_EVENT[action] ?? 'completed';
  const redacted = action === 'redacted';
  const decided = status === 'approved' || status === 'declined';
  return {
    type: 'inquiry',
    id: options.inquiryId ?? personaId('inq'),
    attributes: {
      status,
      'reference-id': options.referenceId === undefined ? 'user-0001' : options.referenceId,
      note: null,
      behaviors: {
        'request-spoof-attempts': 0,
        'user-agent-spoof-attempts': 0,
        'completion-time': 40.172463903,
      },
      tags: [],
      creator: 'API',
      'reviewer-comment': null,
      'created-at': iso(options.inquiryCreatedAt ?? createdAt),
      'started-at': createdAt,
      'completed-at': status === 'created' || status === 'pending' ? null : createdAt,
      'failed-at': status === 'failed' ? createdAt : null,
      'decisioned-at': decided ? createdAt : null,
      'expired-at': status === 'expired' ? createdAt : null,
      'redacted-at': redacted ? createdAt : null,
      'name-first': redacted ? null : 'Jane',
      'name-middle': null,
      'name-last': redacted ? null : 'Example',
      birthdate: redacted ? null : '1990-01-01',
      'address-street-1': redacted ? null : '1 Example Street',
      'address-city': redacted ? null : 'Exampleville',
      'address-postal-code': redacted ? null : '00000',
      fields: redacted
        ? null
        : {
            'name-first': { type: 'string', value: 'Jane' },
            'name-last': { type: 'string', value: 'Example' },
            birthdate: { type: 'date', value: '1990-01-01' },
          },
    },
    relationships: {
      account: { data: { type: 'account', id: options.accountId ?? personaId('act') } },
      template: { data: null },
      'inquiry-template': { data: { type: 'inquiry-template', id: 'itmpl_ExampleTemplate0000000000' } },
      verifications: { data: [] },
      sessions: { data: [] },
    },
  };
}

function verificationObject(options: BuildEventOptions, action: string, createdAt: string) {
  const status = options.status ?? VERIFICATION_STATUS_BY_EVENT[action] ?? 'submitted';
  const finished = status === 'passed' || status === 'failed';
  return {
    type: 'verification/government-id',
    id: options.verificationId ?? personaId('ver'),
    attributes: {
      status,
      'created-at': createdAt,
      'submitted-at': status === 'initiated' ? null : createdAt,
      'completed-at': finished ? createdAt : null,
      'country-code': 'US',
      checks: [{ name: 'id_expired_detection', status: finished ? status : 'not_applicable', reasons: [] }],
    },
    relationships: { inquiry: { data: { type: 'inquiry', id: options.inquiryId ?? personaId('inq') } } },
  };
}

function accountObject(options: BuildEventOptions, createdAt: string) {
  return {
    type: 'account',
    id: options.accountId ?? personaId('act'),
    attributes: {
      'reference-id': options.referenceId === undefined ? 'user-0001' : options.referenceId,
      'account-status': options.accountStatus ?? 'Default',
      'created-at': createdAt,
      'updated-at': createdAt,
      tags: [],
    },
  };
}

/** A case as Persona sends it: statuses `open` / `resolved`, a resolution once resolved, no PII here. */
function caseObject(options: BuildEventOptions, action: string, createdAt: string) {
  const resolved = action === 'resolved';
  return {
    type: 'case',
    id: options.caseId ?? personaId('case'),
    attributes: {
      status: options.status ?? (resolved ? 'resolved' : 'open'),
      name: 'KYC review',
      resolution: resolved ? (options.resolution ?? 'Approved') : null,
      'created-at': createdAt,
      'updated-at': createdAt,
      'assigned-at': action === 'assigned' ? createdAt : null,
      'resolved-at': resolved ? createdAt : null,
      'redacted-at': action === 'redacted' ? createdAt : null,
      tags: [],
      fields: {},
    },
    relationships: {
      accounts: { data: options.accountId ? [{ type: 'account', id: options.accountId }] : [] },
      inquiries: { data: options.inquiryId ? [{ type: 'inquiry', id: options.inquiryId }] : [] },
      reports: { data: [] },
    },
  };
}

/** A report run (`report/watchlist`, …): `has-match` and continuous monitoring, no matched entries. */
function reportObject(options: BuildEventOptions, type: string, action: string, createdAt: string) {
  return {
    type,
    id: options.reportId ?? personaId('rep'),
    attributes: {
      status: options.status ?? (action === 'errored' ? 'errored' : 'ready'),
      'created-at': createdAt,
      'completed-at': createdAt,
      'has-match': options.hasMatch ?? action === 'matched',
      'is-continuous': options.isContinuous ?? true,
      tags: [],
    },
    relationships: {
      inquiry: { data: options.inquiryId ? { type: 'inquiry', id: options.inquiryId } : null },
      account: { data: options.accountId ? { type: 'account', id: options.accountId } : null },
    },
  };
}

function genericObject(options: BuildEventOptions, family: string, createdAt: string) {
  const prefix = family.startsWith('report/') ? 'rep' : family.slice(0, 3) || 'obj';
  return {
    type: family || 'object',
    id: personaId(prefix),
    attributes: { status: options.status ?? 'ready', 'created-at': createdAt },
    relationships: options.inquiryId ? { inquiry: { data: { type: 'inquiry', id: options.inquiryId } } } : {},
  };
}
