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
  /**
   * `case.*`: the resolution (`Approved`, `Declined`, or a template's own). Default: `Approved` for a
   * `case.resolved` without a `status` (the classic flow), else none.
   */
  resolution?: string;
  /**
   * `case.*`: when Persona resolved the case (`resolved-at`), e.g. when its template status became an end
   * status (`Declined by Team 1`). Default: the event's time for `case.resolved`, else null.
   */
  resolvedAt?: Date | string | null;
  /** `report/*`: the report id. Default: a new one. */
  reportId?: string;
  /** `report/*`: whether the run found a match. Default: true for `.matched`, else false. */
  hasMatch?: boolean;
  /** `report/*`: continuous monitoring. Default true. */
  isContinuous?: boolean;
  /** `account.*`: the account's `account-status`. */
  accountStatus?: string;
  /**
   * `transaction.*`: the transaction id (default: a new one); on a `report/*` or `case.*`, the transaction
   * it relates to (`relationships.transaction` / `transactions`).
   */
  transactionId?: string;
  /**
   * `case.*`: more users the case is about (a duplicate-identity or KYB case over several people): their
   * inquiries and accounts, related after `inquiryId` and `accountId`.
   */
  otherInquiryIds?: readonly string[];
  otherAccountIds?: readonly string[];
  /** `case.*`, `transaction.*` with `reportId`: the related report's type (without `report/`). Default `watchlist`. */
  reportType?: string;
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

/** A transaction's status by event when none is given: Persona's statuses are the organisation's own. */
const TRANSACTION_STATUS_BY_EVENT: Readonly<Record<string, string>> = {
  created: 'created',
  'status-updated': 'approved',
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
            : family === 'transaction'
              ? transactionObject(options, action, createdAt)
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

/**
 * A case as Persona sends it. Statuses are the case template's own (`Open`, `Accept`, `Declined by Team
 * 1`; classic `open` / `resolved` by default), `resolved-at` set once Persona resolved it, and its links
 * to the inquiries, accounts, reports and transactions it is about. No PII here.
 */
function caseObject(options: BuildEventOptions, action: string, createdAt: string) {
  const resolved = action === 'resolved';
  const resolvedAt = options.resolvedAt === undefined ? (resolved ? createdAt : null) : options.resolvedAt;
  return {
    type: 'case',
    id: options.caseId ?? personaId('case'),
    attributes: {
      status: options.status ?? (resolved ? 'resolved' : 'open'),
      name: 'KYC review',
      // The classic flow resolves with a resolution; a template's end status is its own outcome.
      resolution: options.resolution ?? (resolved && options.status === undefined ? 'Approved' : null),
      'created-at': createdAt,
      'updated-at': createdAt,
      'assigned-at': action === 'assigned' ? createdAt : null,
      'resolved-at': resolvedAt === null ? null : iso(resolvedAt),
      'redacted-at': action === 'redacted' ? createdAt : null,
      tags: [],
      fields: {},
    },
    relationships: {
      accounts: { data: toMany('account', options.accountId, options.otherAccountIds) },
      inquiries: { data: toMany('inquiry', options.inquiryId, options.otherInquiryIds) },
      reports: { data: relatedReports(options) },
      transactions: { data: toMany('transaction', options.transactionId) },
    },
  };
}

/**
 * A report run (`report/watchlist`, `report/screening`, `report/custom-list` …): `has-match` (false on
 * `.dismissed`: a reviewer dismissed the match) and continuous monitoring, no matched entries; linked to
 * the inquiry, account and transaction it ran on, which is how a receiver ties it to a user.
 */
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
      transaction: {
        data: options.transactionId ? { type: 'transaction', id: options.transactionId } : null,
      },
    },
  };
}

/**
 * A transaction: the organisation's own status (`approved`, `needs_review` …), the user's `reference-id`
 * (transactions carry one, like inquiries), and its account and inquiries.
 */
function transactionObject(options: BuildEventOptions, action: string, createdAt: string) {
  const redacted = action === 'redacted';
  return {
    type: 'transaction',
    id: options.transactionId ?? personaId('txn'),
    attributes: {
      status: options.status ?? TRANSACTION_STATUS_BY_EVENT[action] ?? 'created',
      'reference-id': options.referenceId === undefined ? 'user-0001' : options.referenceId,
      'created-at': createdAt,
      'updated-at': createdAt,
      'redacted-at': redacted ? createdAt : null,
      tags: [],
      fields: redacted ? null : { amount: { type: 'number', value: 100 } },
    },
    relationships: {
      'transaction-type': { data: { type: 'transaction-type', id: 'txntp_ExampleType00000000000' } },
      account: { data: options.accountId ? { type: 'account', id: options.accountId } : null },
      inquiries: { data: toMany('inquiry', options.inquiryId) },
      reports: { data: relatedReports(options) },
    },
  };
}

/** The related report, typed as Persona types it (`report/watchlist`), or none. */
function relatedReports(options: BuildEventOptions) {
  return toMany(`report/${options.reportType ?? 'watchlist'}`, options.reportId);
}

/** A to-many relationship's data: the id given and any others, or none. */
function toMany(type: string, id: string | undefined, others: readonly string[] = []) {
  return [...(id ? [id] : []), ...others].map((each) => ({ type, id: each }));
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
