/**
 * Persona's JSON:API shapes for the emulator's records, its error body
 * (`{"errors":[{"title","details"}]}`), and key inflection: Persona answers in kebab keys unless asked
 * for camel or snake (`Key-Inflection` header, or a webhook's `api-key-inflection`), and never inflects
 * the keys inside `fields`.
 */
import type {
  EmulatedCase,
  EmulatedDelivery,
  EmulatedInquiry,
  EmulatedReport,
  EmulatedTransaction,
  EmulatedWebhook,
  KeyInflection,
} from './emulator-model.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function webhookJson(webhook: EmulatedWebhook) {
  return {
    type: 'webhook',
    id: webhook.id,
    attributes: {
      status: webhook.status,
      url: webhook.url,
      'api-version': webhook.apiVersion,
      'api-key-inflection': webhook.keyInflection,
      'api-attributes-blocklist': [],
      'file-access-token-expires-in': 21600,
      'enabled-events': webhook.enabledEvents,
      'payload-filter': {},
      secrets: webhook.secrets.map((secret) => ({
        value: secret.value,
        'expires-at': iso(secret.expiresAtMs),
      })),
      'created-at': iso(webhook.createdAtMs),
    },
  };
}

export function deliveryJson(delivery: EmulatedDelivery) {
  return {
    type: 'webhook-event',
    id: delivery.id,
    attributes: {
      status: delivery.status,
      'webhook-id': delivery.webhookId,
      'event-id': delivery.eventId,
      'event-name': delivery.eventName,
      'attempts-made': delivery.attemptsMade,
      'attempts-left': Math.max(0, 8 - delivery.attemptsMade),
      'first-attempted-at': iso(delivery.firstAttemptedAtMs),
      'last-attempted-at': iso(delivery.lastAttemptedAtMs),
      'next-attempt-at': iso(delivery.nextAttemptAtMs),
      'last-response-status': delivery.lastResponseStatus,
      'last-error': delivery.lastError,
      'created-at': iso(delivery.createdAtMs),
      'updated-at': iso(delivery.updatedAtMs),
    },
  };
}

export function inquiryJson(inquiry: EmulatedInquiry) {
  return {
    type: 'inquiry',
    id: inquiry.id,
    attributes: {
      status: inquiry.status,
      'reference-id': inquiry.referenceId,
      'created-at': iso(inquiry.createdAtMs),
      'redacted-at': iso(inquiry.redactedAtMs),
    },
    relationships: { account: { data: { type: 'account', id: inquiry.accountId } } },
  };
}

/** A case as Persona's API shows it (its id-bearing parts; no `fields`). */
export function caseJson(kase: EmulatedCase) {
  return {
    type: 'case',
    id: kase.id,
    attributes: {
      status: kase.status,
      resolution: kase.resolution,
      'created-at': iso(kase.createdAtMs),
      'resolved-at': iso(kase.resolvedAtMs),
    },
    relationships: {
      inquiries: { data: kase.inquiryIds.map((id) => ({ type: 'inquiry', id })) },
      accounts: { data: kase.accountIds.map((id) => ({ type: 'account', id })) },
      reports: { data: kase.reportId ? [{ type: `report/${kase.reportType}`, id: kase.reportId }] : [] },
      transactions: { data: kase.transactionId ? [{ type: 'transaction', id: kase.transactionId }] : [] },
      'case-template': { data: { type: 'case-template', id: kase.template.id } },
    },
  };
}

/** A report as Persona's API shows it (no inputs, no matched entries). */
export function reportJson(report: EmulatedReport) {
  return {
    type: `report/${report.reportType}`,
    id: report.id,
    attributes: {
      status: 'ready',
      'has-match': report.hasMatch,
      'is-continuous': report.isContinuous,
      'created-at': iso(report.createdAtMs),
    },
    relationships: {
      inquiry: { data: report.inquiryId ? { type: 'inquiry', id: report.inquiryId } : null },
      account: { data: { type: 'account', id: report.accountId } },
      transaction: { data: report.transactionId ? { type: 'transaction', id: report.transactionId } : null },
    },
  };
}

/** A transaction as Persona's API shows it (no fields). */
export function transactionJson(transaction: EmulatedTransaction) {
  return {
    type: 'transaction',
    id: transaction.id,
    attributes: {
      status: transaction.status,
      'reference-id': transaction.referenceId,
      'created-at': iso(transaction.createdAtMs),
    },
    relationships: {
      account: { data: { type: 'account', id: transaction.accountId } },
      inquiries: { data: transaction.inquiryIds.map((id) => ({ type: 'inquiry', id })) },
    },
  };
}

/** Persona's error body. */
export function personaError(title: string, details?: string) {
  return { errors: [details ? { title, details } : { title }] };
}

/** Re-keys a kebab JSON value to another inflection; `fields` children keep their keys. */
export function inflectKeys(value: unknown, inflection: KeyInflection): unknown {
  if (inflection === 'kebab') return value;
  return walk(value, inflection);
}

function walk(value: unknown, inflection: 'camel' | 'snake'): unknown {
  if (Array.isArray(value)) return value.map((item) => walk(item, inflection));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const inflected =
      inflection === 'snake'
        ? key.replaceAll('-', '_')
        : key.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    out[inflected] = key === 'fields' ? child : walk(child, inflection);
  }
  return out;
}
