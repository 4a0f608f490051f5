/**
 * A user's KYC policy behind a check of what it returns: the store writes the decision as the policy
 * says, and the API, the dashboard, the CLI and the metric promise one of four decision values, each
 * reason with a code, a fact and a message. A policy that throws, or returns something else, must not
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
  type KycFacts,
  type KycPolicy,
  type KycReason,
  policyFingerprint,
} from 'persona-webhooks';

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

/**
 * Wraps `policy` so that it never throws; optional reason fields a policy leaves out (`id`, `status`,
 * `eventId`, `atMs`) are filled with "unknown" values rather than refused.
 */
export function checkedKycPolicy(policy: KycPolicy): KycPolicy {
  const checked = (facts: KycFacts) => {
    try {
      return checkResult(policy(facts));
    } catch (error) {
      return policyFailed(facts, error);
    }
  };
  // The store decides every user again when this changes: it must name the policy, not the wrapper.
  return Object.assign(checked, { fingerprint: policyFingerprint(policy) });
}

/** The decision when the policy failed: needs review, saying why, on the user's newest inquiry. */
function policyFailed(facts: KycFacts, error: unknown): KycDecision {
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
        message: `The kycPolicy of PERSONA_WEBHOOKS_HANDLERS failed, so a person must decide: ${text.slice(0, MAX_ERROR_CHARS)}`,
      },
    ],
  };
}

function checkResult(result: unknown): KycDecision {
  if (typeof result !== 'object' || result === null)
    fail(`returned ${kind(result)}, not { decision, reasons }`);
  const { decision, reasons } = result as { decision?: unknown; reasons?: unknown };
  if (typeof decision !== 'string' || !DECISIONS.has(decision)) {
    fail(`returned decision ${quote(decision)}; it must be one of ${[...DECISIONS].join(', ')}`);
  }
  if (!Array.isArray(reasons)) fail(`returned reasons as ${kind(reasons)}; it must be an array`);
  return { decision: decision as KycDecisionValue, reasons: reasons.map(checkReason) };
}

function checkReason(reason: unknown, index: number): KycReason {
  if (typeof reason !== 'object' || reason === null)
    fail(`reason ${index} is ${kind(reason)}, not an object`);
  const r = reason as Partial<Record<keyof KycReason, unknown>>;
  for (const field of ['code', 'message'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') fail(`reason ${index} has no ${field} (a string)`);
  }
  if (typeof r.fact !== 'string' || !FACT_KINDS.has(r.fact)) {
    fail(`reason ${index} has fact ${quote(r.fact)}; it must be one of ${[...FACT_KINDS].join(', ')}`);
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

function fail(what: string): never {
  throw new KycPolicyResultError(`kycPolicy (PERSONA_WEBHOOKS_HANDLERS) ${what}.`);
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
