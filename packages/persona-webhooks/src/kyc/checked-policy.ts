/**
 * A user's KYC policy behind a check of what it returns: the store writes the decision as the policy
 * says, and what reads it (your code, the service's API, dashboard, CLI and metric) relies on one of
 * four decision values, each reason with a code, a fact and a message. Both stores wrap the policy
 * they are given in this guard. A policy that throws, or returns something else, must not
 * throw inside the store: the completion would fail, the worker would leave the event to its lease and
 * run it again, and again, without ever recording why (and a policy's error is as deterministic as the
 * policy). So a failure decides `needs_review` — a person must look — with a `policy_error` reason that
 * carries the error, visible in the dashboard, the API and the metric.
 */
import {
  KYC_DECISION_VALUES,
  type KycDecision,
  type KycDecisionValue,
  type KycFactKind,
  type KycPolicy,
  type KycReason,
} from './decision.js';
import type { KycFacts } from './facts.js';
import { policyFingerprint } from './policy-fingerprint.js';

const DECISIONS: ReadonlySet<string> = new Set<KycDecisionValue>(KYC_DECISION_VALUES);
const FACT_KINDS: ReadonlySet<string> = new Set<KycFactKind>([
  'inquiry',
  'transaction',
  'case',
  'report',
  'account',
]);

/** What a custom policy returned that the service cannot store. */
export class KycPolicyResultError extends TypeError {
  override readonly name = 'KycPolicyResultError';
}

/** The longest error text a `policy_error` reason quotes. */
const MAX_ERROR_CHARS = 300;

/** Options of {@link checkedKycPolicy}. */
export interface CheckedKycPolicyOptions {
  /**
   * Where the policy came from, named in every `policy_error` reason so a reader knows what to fix
   * (the service says `PERSONA_WEBHOOKS_HANDLERS`). Default: none.
   */
  source?: string;
}

/** Marks a policy this guard already wraps, so the store does not wrap it twice. */
const CHECKED = Symbol('persona-webhooks.checkedKycPolicy');

/**
 * Wraps `policy` so that it never throws; optional reason fields a policy leaves out (`id`, `status`,
 * `eventId`, `atMs`) are filled with "unknown" values rather than refused. A policy already wrapped is
 * returned as it is.
 *
 * @example
 * const policy = checkedKycPolicy(myPolicy, { source: 'policies/kyc.ts' });
 * policy(facts); // { decision: 'needs_review', reasons: [{ code: 'policy_error', … }] } if myPolicy throws
 */
export function checkedKycPolicy(policy: KycPolicy, options: CheckedKycPolicyOptions = {}): KycPolicy {
  if (CHECKED in policy) return policy;
  const names = policyNames(options.source);
  const checked = (facts: KycFacts) => {
    try {
      return checkResult(policy(facts), names);
    } catch (error) {
      return policyFailed(facts, error, names);
    }
  };
  // The store decides every user again when this changes: it must name the policy, not the wrapper.
  return Object.assign(checked, { fingerprint: policyFingerprint(policy), [CHECKED]: true });
}

/** How the messages name the policy: "The kycPolicy of X failed", "kycPolicy (X) returned …". */
interface PolicyNames {
  failed: string;
  subject: string;
}

function policyNames(source: string | undefined): PolicyNames {
  return source === undefined
    ? { failed: 'The kycPolicy', subject: 'kycPolicy' }
    : { failed: `The kycPolicy of ${source}`, subject: `kycPolicy (${source})` };
}

/** The decision when the policy failed: needs review, saying why, on the user's newest inquiry. */
function policyFailed(facts: KycFacts, error: unknown, names: PolicyNames): KycDecision {
  const inquiry = [...facts.inquiries].sort(
    (a, b) => (b.inquiryCreatedAtMs ?? b.statusAtMs) - (a.inquiryCreatedAtMs ?? a.statusAtMs),
  )[0];
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    decision: 'needs_review',
    reasons: [
      {
        code: 'policy_error',
        fact: 'inquiry',
        id: inquiry?.inquiryId ?? '',
        status: inquiry?.status ?? null,
        eventId: '',
        atMs: 0,
        message: `${names.failed} failed, so a person must decide: ${text.slice(0, MAX_ERROR_CHARS)}`,
      },
    ],
  };
}

function checkResult(result: unknown, names: PolicyNames): KycDecision {
  if (typeof result !== 'object' || result === null)
    fail(names, `returned ${kind(result)}, not { decision, reasons }`);
  const { decision, reasons } = result as { decision?: unknown; reasons?: unknown };
  if (typeof decision !== 'string' || !DECISIONS.has(decision)) {
    fail(names, `returned decision ${quote(decision)}; it must be one of ${[...DECISIONS].join(', ')}`);
  }
  if (!Array.isArray(reasons)) fail(names, `returned reasons as ${kind(reasons)}; it must be an array`);
  return {
    decision: decision as KycDecisionValue,
    reasons: reasons.map((reason, i) => checkReason(reason, i, names)),
  };
}

function checkReason(reason: unknown, index: number, names: PolicyNames): KycReason {
  if (typeof reason !== 'object' || reason === null)
    fail(names, `reason ${index} is ${kind(reason)}, not an object`);
  const r = reason as Partial<Record<keyof KycReason, unknown>>;
  for (const field of ['code', 'message'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '')
      fail(names, `reason ${index} has no ${field} (a string)`);
  }
  if (typeof r.fact !== 'string' || !FACT_KINDS.has(r.fact)) {
    fail(names, `reason ${index} has fact ${quote(r.fact)}; it must be one of ${[...FACT_KINDS].join(', ')}`);
  }
  return {
    code: r.code as string,
    fact: r.fact as KycFactKind,
    id: typeof r.id === 'string' ? r.id : '',
    status: typeof r.status === 'string' ? r.status : null,
    eventId: typeof r.eventId === 'string' ? r.eventId : '',
    atMs: typeof r.atMs === 'number' && Number.isFinite(r.atMs) ? r.atMs : 0,
    message: r.message as string,
    ...(typeof r.setting === 'string' ? { setting: r.setting } : {}),
  };
}

function fail(names: PolicyNames, what: string): never {
  throw new KycPolicyResultError(`${names.subject} ${what}.`);
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value === undefined ? 'undefined' : `a ${typeof value}`;
}

/** A short rendering of a value a policy returned: never long enough to carry much of anything. */
function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : kind(value);
}
