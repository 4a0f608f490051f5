/**
 * The settings of outbound `kyc.decision_changed` webhooks: the application endpoints given by
 * environment (`PERSONA_WEBHOOKS_APP_ENDPOINTS`) and the delivery worker's knobs. Secrets are kept
 * here only to be written to the store; nothing here is ever logged.
 */
import { createHash } from 'node:crypto';
import { isEndpointSecret, RETRY_DELAYS_MS } from 'persona-webhooks';
import { z } from 'zod';
import { parseDuration } from '../durations.js';
import { ConfigError } from '../server/config/config-error.js';
import { integerSetting } from '../server/config/integer-setting.js';
import type { DestinationPolicy } from './destination-policy.js';
import { checkEndpointUrl } from './endpoint-url.js';

/** The environment variables read here. */
export const OUTBOUND_SETTINGS = [
  'PERSONA_WEBHOOKS_APP_ENDPOINTS',
  'PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS',
  'PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY',
  'PERSONA_WEBHOOKS_OUTBOUND_ENDPOINT_CONCURRENCY',
  'PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS',
  'PERSONA_WEBHOOKS_OUTBOUND_PRIVATE',
] as const;

/** An endpoint from PERSONA_WEBHOOKS_APP_ENDPOINTS. */
export interface EnvEndpoint {
  /** `ep_` + a short hash of the URL: the same URL keeps its id (and messages) across restarts. */
  id: string;
  url: string;
  /** Every one signs (several during a rotation). */
  secrets: string[];
}

/** The validated outbound settings. */
export interface OutboundConfig {
  endpoints: readonly EnvEndpoint[];
  timeoutMs: number;
  concurrency: number;
  /** Messages of one endpoint in flight at once (all instances), so a slow one cannot take every slot. */
  endpointConcurrency: number;
  retryDelaysMs: readonly number[];
  /** Which addresses endpoints may reach (metadata and link-local never). */
  destinations: DestinationPolicy;
}

const SECRET_HINT =
  'a whsec_… secret (e.g. from `persona-webhooks endpoints add`, or any whsec_ + base64 of 24–64 random bytes)';

/** An endpoint URL, normalised, under `policy`; shared with the CLI so both refuse the same. */
export function endpointUrl(policy: DestinationPolicy) {
  return z.string().transform((value, context) => {
    const checked = checkEndpointUrl(value, policy);
    if (checked.ok) return checked.url;
    context.addIssue({ code: 'custom', message: checked.reason });
    return z.NEVER;
  });
}

const endpointSecret = z.string().refine(isEndpointSecret, `must be ${SECRET_HINT}`);

const endpointEntry = (policy: DestinationPolicy) =>
  z
    .object({
      url: endpointUrl(policy),
      secret: endpointSecret.optional(),
      secrets: z.array(endpointSecret).min(1).optional(),
    })
    .strict()
    .refine((entry) => (entry.secret === undefined) !== (entry.secrets === undefined), {
      message: 'give either "secret" or "secrets" (a list, for a rotation)',
    });

const schema = z.object({
  PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS: integerSetting(
    'PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS',
    100,
    120_000,
  ).default(10_000),
  // Under a backlog one endpoint's messages need about 64 in flight to keep up with ingest on 2 cores
  // (`npm run bench` section 5); with few messages due the slots simply stay free.
  PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY: integerSetting(
    'PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY',
    1,
    256,
  ).default(128),
  PERSONA_WEBHOOKS_OUTBOUND_ENDPOINT_CONCURRENCY: integerSetting(
    'PERSONA_WEBHOOKS_OUTBOUND_ENDPOINT_CONCURRENCY',
    1,
    256,
  ).optional(),
  PERSONA_WEBHOOKS_OUTBOUND_PRIVATE: z
    .enum(['allow', 'deny'], {
      error:
        'PERSONA_WEBHOOKS_OUTBOUND_PRIVATE must be allow (default: endpoints may be on private networks and loopback) or deny',
    })
    .default('allow'),
});

/** The endpoint id of `url`: stable, short, and not the URL (which may hold a token) itself. */
export function endpointIdFor(url: string): string {
  return `ep_${createHash('sha256').update(new URL(url).href).digest('hex').slice(0, 12)}`;
}

/** Validates the outbound settings among `present` (the non-empty settings). */
export function loadOutboundConfig(present: Readonly<Record<string, string | undefined>>): OutboundConfig {
  const parsed = schema.safeParse(
    Object.fromEntries(
      Object.keys(schema.shape).flatMap((key) => (present[key] ? [[key, present[key]]] : [])),
    ),
  );
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const destinations = Object.freeze({
    allowPrivate: parsed.data.PERSONA_WEBHOOKS_OUTBOUND_PRIVATE === 'allow',
  });
  return {
    endpoints: parseEndpoints(present['PERSONA_WEBHOOKS_APP_ENDPOINTS'], destinations),
    destinations,
    timeoutMs: parsed.data.PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS,
    concurrency: parsed.data.PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY,
    // Default half the slots: one endpoint that hangs leaves the other half to the rest.
    endpointConcurrency:
      parsed.data.PERSONA_WEBHOOKS_OUTBOUND_ENDPOINT_CONCURRENCY ??
      Math.max(1, Math.floor(parsed.data.PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY / 2)),
    retryDelaysMs: parseRetryDelays(present['PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS']),
  };
}

function parseEndpoints(raw: string | undefined, policy: DestinationPolicy): EnvEndpoint[] {
  if (raw === undefined || raw.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'PERSONA_WEBHOOKS_APP_ENDPOINTS must be a JSON array such as [{"url":"https://app.example/kyc","secret":"whsec_…"}]',
    );
  }
  const parsed = z.array(endpointEntry(policy)).safeParse(json);
  if (!parsed.success) {
    // The issue's path and message only: never the value, which may be a secret.
    throw new ConfigError(
      parsed.error.issues
        .map((issue) => `PERSONA_WEBHOOKS_APP_ENDPOINTS${issuePath(issue.path)}: ${issue.message}`)
        .join('\n'),
    );
  }
  const endpoints = parsed.data.map((entry) => ({
    id: endpointIdFor(entry.url),
    url: entry.url,
    secrets: entry.secrets ?? [entry.secret!],
  }));
  const ids = new Set(endpoints.map((endpoint) => endpoint.id));
  if (ids.size !== endpoints.length) {
    throw new ConfigError('PERSONA_WEBHOOKS_APP_ENDPOINTS lists the same URL twice: give each URL once');
  }
  return endpoints;
}

function parseRetryDelays(raw: string | undefined): readonly number[] {
  if (raw === undefined || raw.trim() === '') return RETRY_DELAYS_MS;
  const delays = raw.split(',').map((part) => parseDuration(part));
  if (delays.length > 50 || delays.some((delay) => delay === null)) {
    throw new ConfigError(
      'PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS must be up to 50 comma-separated durations such as 200ms,1s,5m',
    );
  }
  return Object.freeze(delays as number[]);
}

/** `[0].url` for the path `[0, 'url']`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
}
