/**
 * The KYC policy as data: what each status Persona sends means, which report types are informational,
 * and whether a later automated approval can undo a reviewer's decision. One JSON object, the same for
 * the service's policy file (`PERSONA_WEBHOOKS_POLICY`) and for library users (`createKycPolicy`).
 * Every map is merged over the defaults below; keys are statuses as Persona spells them (`Needs Review`,
 * `declined-by-team-1`), normalised like every stored status. Whatever no map reads fails closed: the
 * user gets `needs_review` with a reason naming the status and the setting that maps it.
 */
import { normaliseInquiryStatus } from './status.js';

/** What an inquiry's or a transaction's status means for the user. */
export type VerificationOutcome = 'approved' | 'declined' | 'needs_review' | 'in_progress' | 'abandoned';
/** What a case's status means: still open, resolved (outcome from its resolution), or the outcome itself. */
export type CaseStatusOutcome = 'open' | 'resolved' | 'approved' | 'declined';
/** What a resolved case's resolution means. */
export type CaseResolutionOutcome = 'approved' | 'declined' | 'needs_review';
/** What an account's status means: nothing (`clear`), hold for a person, or decline. */
export type AccountStatusOutcome = 'clear' | 'needs_review' | 'declined';

/** The policy's settings, every one optional. */
export interface KycPolicySettings {
  /** Inquiry status → meaning (defaults: approved, declined, needs_review/marked_for_review, …). */
  inquiryStatuses?: Record<string, VerificationOutcome>;
  /** Transaction status → meaning; organisations name their own, so map them. */
  transactionStatuses?: Record<string, VerificationOutcome>;
  /** Case status → meaning; case templates name their own (`Accept`, `Declined by Team 1`). */
  caseStatuses?: Record<string, CaseStatusOutcome>;
  /** A resolved case's `resolution` → outcome. */
  caseResolutions?: Record<string, CaseResolutionOutcome>;
  /** Account status (`account-status`) → meaning. */
  accountStatuses?: Record<string, AccountStatusOutcome>;
  /** Report types (without `report/`) whose matches are informational, not findings. */
  informationalReportTypes?: string[];
  /**
   * A case resolved as declined is a reviewer's decision: by default a later automated inquiry or
   * transaction approval does not undo it. `true` lets the newest decision, whoever made it, hold.
   */
  laterApprovalOverridesCaseDecline?: boolean;
  /**
   * By default a screening match stands until a completed run without a match, a dismissal, or a case
   * resolved after it: an inquiry approval newer than the match does not clear it. `true` lets an
   * approval newer than a match clear it (the approval is taken to have seen it).
   */
  laterApprovalClearsMatches?: boolean;
}

/** Settings with every map complete (defaults merged) and every key normalised. */
export interface ResolvedKycPolicySettings {
  inquiryStatuses: ReadonlyMap<string, VerificationOutcome>;
  transactionStatuses: ReadonlyMap<string, VerificationOutcome>;
  caseStatuses: ReadonlyMap<string, CaseStatusOutcome>;
  caseResolutions: ReadonlyMap<string, CaseResolutionOutcome>;
  accountStatuses: ReadonlyMap<string, AccountStatusOutcome>;
  informationalReportTypes: ReadonlySet<string>;
  laterApprovalOverridesCaseDecline: boolean;
  laterApprovalClearsMatches: boolean;
}

/** Bumped whenever the default policy's rules change, so stored decisions are made again. */
export const DEFAULT_POLICY_VERSION = 2;

const APPROVED_WORDS = ['approved', 'approve', 'accepted', 'accept', 'cleared', 'clear', 'passed'];
const DECLINED_WORDS = ['declined', 'decline', 'rejected', 'reject', 'denied', 'deny'];

/** Persona's documented inquiry statuses (and `marked_for_review`, as some versions spell it). */
export const DEFAULT_INQUIRY_STATUSES: Readonly<Record<string, VerificationOutcome>> = Object.freeze({
  created: 'in_progress',
  pending: 'in_progress',
  started: 'in_progress',
  completed: 'in_progress',
  approved: 'approved',
  declined: 'declined',
  needs_review: 'needs_review',
  marked_for_review: 'needs_review',
  failed: 'abandoned',
  expired: 'abandoned',
});

/** Common transaction statuses; an organisation's own need a line in `transactionStatuses`. */
export const DEFAULT_TRANSACTION_STATUSES: Readonly<Record<string, VerificationOutcome>> = Object.freeze({
  created: 'in_progress',
  pending: 'in_progress',
  initiated: 'in_progress',
  submitted: 'in_progress',
  in_progress: 'in_progress',
  processing: 'in_progress',
  ...Object.fromEntries(APPROVED_WORDS.map((w) => [w, 'approved' as const])),
  ...Object.fromEntries([...DECLINED_WORDS, 'failed'].map((w) => [w, 'declined' as const])),
  needs_review: 'needs_review',
  marked_for_review: 'needs_review',
  pending_review: 'needs_review',
  manual_review: 'needs_review',
  expired: 'abandoned',
  canceled: 'abandoned',
  cancelled: 'abandoned',
});

/**
 * Case statuses: Persona's classic `open`/`resolved` and common template names. A status not here whose
 * first word is an approval word (`Approved by Team 1`) reads as approved, and one with a decline word
 * anywhere (`Declined by Team 1`) as declined; anything else is unmapped.
 */
export const DEFAULT_CASE_STATUSES: Readonly<Record<string, CaseStatusOutcome>> = Object.freeze({
  open: 'open',
  created: 'open',
  new: 'open',
  pending: 'open',
  assigned: 'open',
  in_progress: 'open',
  in_review: 'open',
  waiting: 'open',
  on_hold: 'open',
  escalated: 'open',
  reopened: 'open',
  resolved: 'resolved',
  closed: 'resolved',
});

/** Resolutions (Persona's defaults are `Approved` and `Declined`); the same word rule as case statuses. */
export const DEFAULT_CASE_RESOLUTIONS: Readonly<Record<string, CaseResolutionOutcome>> = Object.freeze({});

/** Account statuses Persona documents and common ones; others are unmapped. */
export const DEFAULT_ACCOUNT_STATUSES: Readonly<Record<string, AccountStatusOutcome>> = Object.freeze({
  default: 'clear',
  active: 'clear',
  approved: 'clear',
  verified: 'clear',
  cleared: 'clear',
  low_risk: 'clear',
  needs_review: 'needs_review',
  pending_review: 'needs_review',
  under_review: 'needs_review',
  high_risk: 'needs_review',
  medium_risk: 'needs_review',
  suspicious: 'needs_review',
  flagged: 'needs_review',
  deactivated: 'needs_review',
  blocked: 'needs_review',
  suspended: 'needs_review',
  frozen: 'needs_review',
  closed: 'needs_review',
  banned: 'needs_review',
  locked: 'needs_review',
});

/**
 * The outcome a template's own status or resolution word reads as, by the default word rule: an
 * approval word first (`approved_by_team_1`), or a decline word anywhere (`declined_by_team_1`,
 * `not_accepted_declined`). A decline word wins, so a status can never read as approved by accident.
 */
export function wordOutcome(status: string): 'approved' | 'declined' | undefined {
  const words = status.split('_');
  if (words.some((w) => DECLINED_WORDS.includes(w))) return 'declined';
  if (APPROVED_WORDS.includes(words[0] ?? '')) return 'approved';
  return undefined;
}

/** Thrown for a settings object that is not valid; the message names the key. */
export class KycPolicySettingsError extends Error {
  override readonly name = 'KycPolicySettingsError';
  readonly code = 'invalid_kyc_policy';
  constructor(
    /** The key path at fault, e.g. `caseStatuses.Accept`. */
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const MAPS = {
  inquiryStatuses: ['approved', 'declined', 'needs_review', 'in_progress', 'abandoned'],
  transactionStatuses: ['approved', 'declined', 'needs_review', 'in_progress', 'abandoned'],
  caseStatuses: ['open', 'resolved', 'approved', 'declined'],
  caseResolutions: ['approved', 'declined', 'needs_review'],
  accountStatuses: ['clear', 'needs_review', 'declined'],
} as const satisfies Record<string, readonly string[]>;
const FLAGS = ['laterApprovalOverridesCaseDecline', 'laterApprovalClearsMatches'] as const;
const KNOWN_KEYS = new Set<string>([...Object.keys(MAPS), ...FLAGS, 'informationalReportTypes', '$schema']);

/**
 * Checks a settings object (a parsed policy file) and returns it typed; throws
 * {@link KycPolicySettingsError} naming the first wrong key or value.
 *
 * @example
 * const settings = parseKycPolicySettings(JSON.parse(readFileSync('kyc-policy.json', 'utf8')));
 */
export function parseKycPolicySettings(value: unknown): KycPolicySettings {
  if (!isPlainObject(value)) throw new KycPolicySettingsError('', 'the policy must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new KycPolicySettingsError(
        key,
        `unknown key "${key}"; known keys: ${[...KNOWN_KEYS].filter((k) => k !== '$schema').join(', ')}`,
      );
    }
  }
  for (const [key, allowed] of Object.entries(MAPS)) {
    const map = value[key];
    if (map === undefined) continue;
    if (!isPlainObject(map))
      throw new KycPolicySettingsError(key, `${key} must be an object of status → meaning`);
    for (const [status, meaning] of Object.entries(map)) {
      if (normaliseInquiryStatus(status) === null) {
        throw new KycPolicySettingsError(`${key}.${status}`, `${key} has an empty status name`);
      }
      if (typeof meaning !== 'string' || !(allowed as readonly string[]).includes(meaning)) {
        throw new KycPolicySettingsError(
          `${key}.${status}`,
          `${key}.${status} is ${JSON.stringify(meaning)}; it must be one of ${allowed.join(', ')}`,
        );
      }
    }
  }
  for (const flag of FLAGS) {
    if (value[flag] !== undefined && typeof value[flag] !== 'boolean') {
      throw new KycPolicySettingsError(flag, `${flag} must be true or false`);
    }
  }
  const types = value['informationalReportTypes'];
  if (types !== undefined) {
    if (!Array.isArray(types) || !types.every((t) => typeof t === 'string' && t.length > 0)) {
      throw new KycPolicySettingsError(
        'informationalReportTypes',
        'informationalReportTypes must be a list of report types, e.g. ["email-address"]',
      );
    }
  }
  return value as KycPolicySettings;
}

/** The settings with defaults merged and keys normalised. */
export function resolveKycPolicySettings(settings: KycPolicySettings = {}): ResolvedKycPolicySettings {
  return {
    inquiryStatuses: merged(DEFAULT_INQUIRY_STATUSES, settings.inquiryStatuses),
    transactionStatuses: merged(DEFAULT_TRANSACTION_STATUSES, settings.transactionStatuses),
    caseStatuses: merged(DEFAULT_CASE_STATUSES, settings.caseStatuses),
    caseResolutions: merged(DEFAULT_CASE_RESOLUTIONS, settings.caseResolutions),
    accountStatuses: merged(DEFAULT_ACCOUNT_STATUSES, settings.accountStatuses),
    informationalReportTypes: new Set((settings.informationalReportTypes ?? []).map(reportType)),
    laterApprovalOverridesCaseDecline: settings.laterApprovalOverridesCaseDecline ?? false,
    laterApprovalClearsMatches: settings.laterApprovalClearsMatches ?? false,
  };
}

/**
 * A stable text for the policy in force: the default rules' version and the resolved settings, keys
 * sorted. Stores keep it and decide every user again when it changes.
 */
export function settingsFingerprint(settings: ResolvedKycPolicySettings): string {
  const sortedMap = (map: ReadonlyMap<string, string>) => Object.fromEntries([...map].sort(byKey));
  return `default-v${DEFAULT_POLICY_VERSION}:${JSON.stringify({
    inquiryStatuses: sortedMap(settings.inquiryStatuses),
    transactionStatuses: sortedMap(settings.transactionStatuses),
    caseStatuses: sortedMap(settings.caseStatuses),
    caseResolutions: sortedMap(settings.caseResolutions),
    accountStatuses: sortedMap(settings.accountStatuses),
    informationalReportTypes: [...settings.informationalReportTypes].sort(),
    laterApprovalOverridesCaseDecline: settings.laterApprovalOverridesCaseDecline,
    laterApprovalClearsMatches: settings.laterApprovalClearsMatches,
  })}`;
}

function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** `report/watchlist` or `watchlist` → `watchlist`. */
function reportType(type: string): string {
  return type.startsWith('report/') ? type.slice('report/'.length) : type;
}

function merged<T extends string>(
  defaults: Readonly<Record<string, T>>,
  overrides: Record<string, T> | undefined,
): Map<string, T> {
  const map = new Map<string, T>(Object.entries(defaults));
  for (const [status, meaning] of Object.entries(overrides ?? {})) {
    const key = normaliseInquiryStatus(status);
    if (key !== null) map.set(key, meaning);
  }
  return map;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
