/**
 * The doctor's checks as pure functions over what the API returned: each says passed, failed (with
 * the exact fix), warning or skipped. No secret value is ever part of a result.
 */

import { missingPolicyEvents } from 'persona-webhooks';
import { PERSONA_API_VERSION } from '../persona-api/client.js';
import type { Webhook, WebhookDelivery } from '../persona-api/webhooks-api.js';
import { summarizeMissing } from '../policy-events/event-families.js';
import { utcTime } from '../utc-time.js';
import type { InboxAnswer } from './recovered-events.js';
import { matchSecrets } from './secret-match.js';
import type { PingOutcome } from './send-ping.js';
import {
  NEWEST_KNOWN_API_VERSION,
  OLDEST_PARSED_API_VERSION,
  PARSED_INFLECTIONS,
} from './webhook-requirements.js';

export type CheckId =
  | 'api-key'
  | 'webhook'
  | 'enabled'
  | 'events'
  | 'secret'
  | 'version'
  | 'deliveries'
  | 'ping';
export type CheckStatus = 'passed' | 'failed' | 'warning' | 'skipped';

export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about it (failed and warning only). */
  fix?: string;
  /** The events check: every event the webhook lacks, by name (the detail groups them). */
  missingEvents?: string[];
}

export const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  'api-key': 'API key',
  webhook: 'webhook',
  enabled: 'enabled',
  events: 'enabled events',
  secret: 'secret',
  version: 'API version',
  deliveries: 'recent deliveries',
  ping: 'signed ping',
};

const result = (id: CheckId, status: CheckStatus, detail: string, fix?: string): CheckResult =>
  fix === undefined ? { id, status, detail } : { id, status, detail, fix };

/** Trailing slashes and letter case of scheme and host do not make a different webhook URL. */
export function sameUrl(a: string, b: string): boolean {
  const normalise = (value: string) => {
    try {
      const url = new URL(value);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
    } catch {
      return value.trim().replace(/\/+$/, '');
    }
  };
  return normalise(a) === normalise(b);
}

/** Finds the webhook to check: the one for `url`, or the only one there is. */
export function findWebhook(
  webhooks: readonly Webhook[],
  url: string | undefined,
): { check: CheckResult; webhook: Webhook | null } {
  const live = webhooks.filter((webhook) => webhook.status !== 'archived');
  const create = `persona-webhooks webhooks create --url ${url ?? 'https://<your host>/webhooks/persona'}`;
  if (url === undefined) {
    if (live.length === 1) {
      const [only] = live as [Webhook];
      return {
        webhook: only,
        check: result(
          'webhook',
          'passed',
          `${only.id} → ${only.url} (the only webhook; pass --url to name one)`,
        ),
      };
    }
    return {
      webhook: null,
      check:
        live.length === 0
          ? result('webhook', 'failed', 'this environment has no webhook, so Persona sends nothing.', create)
          : result(
              'webhook',
              'failed',
              `${live.length} webhooks: ${live.map((w) => `${w.id} → ${w.url}`).join('; ')}.`,
              'name the one this service receives with --url <its public URL>.',
            ),
    };
  }
  const matches = live.filter((webhook) => sameUrl(webhook.url, url));
  const webhook = matches.find((w) => w.status === 'enabled') ?? matches[0] ?? null;
  if (!webhook) {
    const others = live.length ? ` Webhooks here: ${live.map((w) => `${w.id} → ${w.url}`).join('; ')}.` : '';
    return {
      webhook: null,
      check: result(
        'webhook',
        'failed',
        `no webhook points at ${url}, so Persona never calls it.${others}`,
        `${create} (or correct the URL in Persona Dashboard → Webhooks).`,
      ),
    };
  }
  return { webhook, check: result('webhook', 'passed', `${webhook.id} → ${webhook.url}`) };
}

export function checkEnabled(webhook: Webhook): CheckResult {
  if (webhook.status === 'enabled') return result('enabled', 'passed', `${webhook.id} is enabled`);
  return result(
    'enabled',
    'failed',
    `${webhook.id} is ${webhook.status}: Persona delivers nothing to it and has canceled its pending retries.`,
    `persona-webhooks webhooks enable ${webhook.id}, then recover what it missed: persona-webhooks backfill --since <when it was turned off> (the service's reconciliation does it too when PERSONA_API_KEY is set).`,
  );
}

/**
 * Fails when the webhook lacks any event the KYC policy reads (`required`, from `kycPolicyEvents`): a
 * case, report or transaction Persona never sends cannot hold a user, so the decision would say
 * approved where a compliance team holds them.
 */
export function checkEvents(webhook: Webhook, required: readonly string[]): CheckResult {
  const missing = missingPolicyEvents(webhook.enabledEvents, required);
  if (missing.length === 0) {
    const how = webhook.enabledEvents.includes('*')
      ? 'all events (*)'
      : `all ${required.length} events the KYC policy reads`;
    return result('events', 'passed', `${webhook.id} sends ${how}`);
  }
  const items = summarizeMissing(missing, required);
  const shown = items.length > 8 ? [...items.slice(0, 8), `and ${items.length - 8} more`] : items;
  return {
    ...result(
      'events',
      'failed',
      `${webhook.id} does not send ${shown.join(', ')}: the KYC decision never sees them, so a case, report or transaction that should hold a user for review leaves them approved (${missing.length} of the ${required.length} events the policy reads; --json lists them).`,
      `subscribe the webhook to them: persona-webhooks webhooks subscribe ${webhook.id} (keeps its secret), or add them to its enabled events in Persona Dashboard → Webhooks → ${webhook.id}, or enable all events (*); or create a webhook subscribed to every one with persona-webhooks webhooks create --url ${webhook.url} (then disable ${webhook.id} and deploy the new secret).`,
    ),
    missingEvents: missing,
  };
}

export function checkSecret(webhook: Webhook, configured: readonly string[], nowMs: number): CheckResult {
  if (configured.length === 0) {
    return result(
      'secret',
      'failed',
      'PERSONA_WEBHOOK_SECRET is not set, so there is nothing to compare with the webhook.',
      `set PERSONA_WEBHOOK_SECRET to ${webhook.id}'s secret (Persona Dashboard → Webhooks → ${webhook.id}).`,
    );
  }
  if (webhook.secrets.length === 0) {
    return result(
      'secret',
      'warning',
      `the API did not return ${webhook.id}'s secrets, so they could not be compared.`,
      'use an API key allowed to read webhooks (webhook.read), or compare by hand in the Dashboard.',
    );
  }
  const match = matchSecrets(configured, webhook.secrets, nowMs);
  const count = `${configured.length} secret${configured.length === 1 ? '' : 's'} in PERSONA_WEBHOOK_SECRET`;
  switch (match.kind) {
    case 'current':
      return result('secret', 'passed', `PERSONA_WEBHOOK_SECRET holds ${webhook.id}'s current secret`);
    case 'expiring':
      return result(
        'secret',
        'warning',
        `PERSONA_WEBHOOK_SECRET holds only ${webhook.id}'s old secret, which expires at ${match.expiresAt}; after that every delivery is refused.`,
        `add the new secret now: PERSONA_WEBHOOK_SECRET=<new>,<old> (persona-webhooks webhooks list shows it).`,
      );
    case 'expired':
      return result(
        'secret',
        'failed',
        `PERSONA_WEBHOOK_SECRET holds ${webhook.id}'s old secret, which expired at ${match.expiresAt}: every delivery is refused with 401 invalid_signature.`,
        `set PERSONA_WEBHOOK_SECRET to the webhook's current secret (persona-webhooks webhooks list, or Persona Dashboard → Webhooks → ${webhook.id}), restart, then recover the refused events: persona-webhooks backfill --since ${match.expiresAt}.`,
      );
    case 'none':
      return result(
        'secret',
        'failed',
        `none of the ${count} is a secret of ${webhook.id}: every delivery is refused with 401 invalid_signature.`,
        `set PERSONA_WEBHOOK_SECRET to ${webhook.id}'s secret (Persona Dashboard → Webhooks → ${webhook.id}, or persona-webhooks webhooks list) and restart; each webhook has its own secret, prefix wbhsec_ included.`,
      );
  }
}

export function checkVersion(webhook: Webhook): CheckResult {
  const { apiVersion, keyInflection } = webhook;
  const problems: string[] = [];
  let newer = false;
  if (
    apiVersion === null ||
    !/^\d{4}-\d{2}-\d{2}$/.test(apiVersion) ||
    apiVersion < OLDEST_PARSED_API_VERSION
  ) {
    problems.push(
      `api-version ${apiVersion ?? '(none)'} is not one we parse (${OLDEST_PARSED_API_VERSION} or later)`,
    );
  } else if (apiVersion > NEWEST_KNOWN_API_VERSION) {
    newer = true;
  }
  if (keyInflection !== null && !PARSED_INFLECTIONS.includes(keyInflection)) {
    problems.push(`api-key-inflection ${keyInflection} is not kebab, camel or snake`);
  }
  const settings = `api-version ${apiVersion ?? '(none)'}, api-key-inflection ${keyInflection ?? 'kebab'}`;
  if (problems.length > 0) {
    return result(
      'version',
      'failed',
      `${problems.join('; ')}.`,
      `set the webhook's API version to ${NEWEST_KNOWN_API_VERSION} or earlier and its key inflection to kebab, camel or snake in Persona Dashboard → Webhooks → ${webhook.id}.`,
    );
  }
  if (apiVersion !== null && apiVersion < PERSONA_API_VERSION) {
    // Recovery reads the Events API at PERSONA_API_VERSION: a recovered event and a delivered one of the
    // same name would differ in shape (since 2025-10-27: fields keys as configured, no included).
    return result(
      'version',
      'warning',
      `${settings}: older than ${PERSONA_API_VERSION}, the version events recovered by reconciliation and backfill come in, so your handlers see two shapes of the same event (from 2025-10-27: fields keys as configured on the template, no included).`,
      `upgrade the webhook to ${PERSONA_API_VERSION} in Persona Dashboard → Webhooks → ${webhook.id} after checking your handlers against Persona's API changelog.`,
    );
  }
  if (newer) {
    return result(
      'version',
      'warning',
      `${settings}: newer than the newest version this receiver knows (${NEWEST_KNOWN_API_VERSION}); the envelope has never changed, but check persona-webhooks for an update.`,
      `upgrade persona-webhooks, or pin the webhook to ${NEWEST_KNOWN_API_VERSION}.`,
    );
  }
  return result('version', 'passed', settings);
}

/**
 * Failed deliveries since `sinceIso`: failing when the newest failure is newer than the newest
 * success (deliveries are failing now), a warning when they have recovered since. With `inbox` (what
 * this receiver's store holds of their events), events already recovered through Persona's Events API
 * are named with when; once every one is in, the failures are history (a warning about the URL), not
 * missing events.
 */
export function checkDeliveries(
  webhook: Webhook,
  failed: { deliveries: readonly WebhookDelivery[]; more: boolean },
  newestCompleted: WebhookDelivery | null,
  sinceIso: string,
  inbox?: InboxAnswer,
): CheckResult {
  const [newest] = failed.deliveries;
  if (!newest) return result('deliveries', 'passed', `no failed delivery since ${sinceIso}`);
  const count = `${failed.deliveries.length}${failed.more ? '+' : ''}`;
  const oldest = failed.deliveries.at(-1)!;
  const event = newest.eventId ? ` (${newest.eventId}${newest.eventName ? ` ${newest.eventName}` : ''})` : '';
  const failures = `${count} deliveries to ${webhook.id} failed since ${sinceIso}; the newest at ${newest.updatedAt ?? '?'}: ${newest.lastError ?? 'no error recorded'}${event}.`;
  const stored = inboxSummary(failed, inbox);
  const detail = stored.text ? `${failures} ${stored.text}` : failures;
  const recover = `recover the events Persona gave up on: persona-webhooks backfill --since ${oldest.updatedAt ?? sinceIso}`;
  const succeedingAgain =
    newestCompleted?.updatedAt && newest.updatedAt && newestCompleted.updatedAt > newest.updatedAt;
  if (stored.allIn) {
    // Nothing is missing; what is left to fix is the delivery itself, unless it works again already.
    return succeedingAgain
      ? result('deliveries', 'warning', `${detail} Deliveries succeed again since.`)
      : result(
          'deliveries',
          'warning',
          detail,
          `${hintFor(newest.lastError)} Meanwhile reconciliation keeps recovering the events, one run late.`,
        );
  }
  if (succeedingAgain) {
    return result('deliveries', 'warning', `${detail} Deliveries succeed again since.`, `${recover}.`);
  }
  return result('deliveries', 'failed', detail, `${hintFor(newest.lastError)} Then ${recover}.`);
}

/**
 * What the inbox holds of the failed deliveries' events. `allIn` only when every delivery names its
 * event, every event is stored, and no further failed deliveries were left out of the page.
 */
function inboxSummary(
  failed: { deliveries: readonly WebhookDelivery[]; more: boolean },
  inbox: InboxAnswer | undefined,
): { text: string; allIn: boolean } {
  if (inbox === undefined) return { text: '', allIn: false };
  if ('unavailable' in inbox) {
    return {
      text: `(Could not look in this receiver's inbox for recovered events: ${inbox.unavailable})`,
      allIn: false,
    };
  }
  const ids = [...new Set(failed.deliveries.map((d) => d.eventId).filter((id): id is string => id !== null))];
  const stored = ids.map((id) => inbox.found.get(id)).filter((info) => info !== undefined);
  const recovered = stored.filter((info) => info.source === 'api');
  const delivered = stored.length - recovered.length;
  const allIn = !failed.more && ids.length === failed.deliveries.length && stored.length === ids.length;
  if (stored.length === 0) return { text: 'None of their events is in the inbox yet.', allIn: false };
  const parts: string[] = [];
  if (recovered.length > 0) {
    const times = recovered.map((info) => info.receivedAtMs);
    const first = Math.min(...times);
    const last = Math.max(...times);
    const when = first === last ? `at ${utcTime(last)}` : `between ${utcTime(first)} and ${utcTime(last)}`;
    parts.push(
      `${recovered.length === ids.length ? (ids.length === 1 ? 'Its event was' : `All ${ids.length} of their events were`) : `${recovered.length} of their ${ids.length} events ${recovered.length === 1 ? 'was' : 'were'}`} recovered by reconciliation (Persona's Events API) ${when}`,
    );
  }
  if (delivered > 0) parts.push(`${delivered} arrived by webhook after all`);
  const missing = ids.length - stored.length;
  if (missing > 0) parts.push(`${missing} ${missing === 1 ? 'is' : 'are'} still missing`);
  return { text: `${parts.join('; ')}.`, allIn };
}

function hintFor(error: string | null): string {
  if (error?.includes('401'))
    return 'HTTP 401: the service refuses the signature — fix PERSONA_WEBHOOK_SECRET (see the secret check).';
  if (error?.includes('404') || error?.includes('405'))
    return 'nothing receives webhooks at that URL: the service listens on /webhooks/persona.';
  if (error?.includes('503'))
    return 'HTTP 503: the service could not store events — check its database (GET /readyz).';
  if (error?.toLowerCase().includes('timeout'))
    return 'the service answered too slowly (Persona waits 5 s): check its load and database.';
  return "make the URL reachable from Persona and answering 200 (check the service's logs).";
}

export function checkPing(url: string, outcome: PingOutcome): CheckResult {
  switch (outcome.kind) {
    case 'recognised':
      return result(
        'ping',
        'passed',
        `${url} verified a ping signed with the webhook's secret (${outcome.status} in ${outcome.ms} ms)`,
      );
    case 'accepted':
      return result(
        'ping',
        'warning',
        `${url} answered ${outcome.status} but not as a persona-webhooks receiver recognising a ping.`,
        'if this is persona-webhooks, upgrade it; otherwise check that the receiver verifies signatures.',
      );
    case 'refused':
      if (outcome.code === 'invalid_signature') {
        return result(
          'ping',
          'failed',
          `${url} refused a ping signed with the webhook's secret (401 invalid_signature${outcome.reason ? `: ${outcome.reason}` : ''}): the running service has another PERSONA_WEBHOOK_SECRET than Persona signs with.`,
          "deploy the webhook's current secret to the service (persona-webhooks webhooks list) and restart it.",
        );
      }
      return result(
        'ping',
        'failed',
        `${url} answered ${outcome.status}${outcome.code ? ` ${outcome.code}` : ''} to a signed ping.`,
        outcome.status === 404 || outcome.status === 405
          ? "point the webhook at the service's receiver path, /webhooks/persona."
          : "check the service's logs and GET /readyz.",
      );
    case 'unreachable':
      return result(
        'ping',
        'warning',
        `could not reach ${url} from here (${outcome.error}); Persona may still reach it.`,
        'if it should be reachable from here, check DNS, TLS and the firewall; otherwise try from outside your network.',
      );
  }
}
