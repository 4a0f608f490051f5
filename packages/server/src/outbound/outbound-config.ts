/**
 * The settings of outbound `kyc.decision_changed` webhooks: the application endpoints given by
 * environment (`PERSONA_WEBHOOKS_APP_ENDPOINTS`) and the delivery worker's knobs. Secrets are kept
 * here only to be written to the store; nothing here is ever logged.
 */
import { createHash } from 'node:crypto';
import { isEndpointSecret, RETRY_DELAYS_MS } from 'persona-webhooks';
import { z } from 'zod';
import { parseDuration } from '../durations.js';
import { ConfigError } from '../server/config-error.js';
import { integerSetting } from '../server/integer-setting.js';

/** The environment variables read here. */
export const OUTBOUND_SETTINGS = [
  'PERSONA_WEBHOOKS_APP_ENDPOINTS',
  'PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS',
  'PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY',
  'PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS',
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
  retryDelaysMs: readonly number[];
}

const SECRET_HINT =
  'a whsec_… secret (e.g. from `persona-webhooks endpoints add`, or any whsec_ + base64 of 24–64 random bytes)';

/** An http(s) URL; shared with the CLI so both refuse the same. */
export const endpointUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const endpointSecret = z.string().refine(isEndpointSecret, `must be ${SECRET_HINT}`);

const endpointEntry = z
  .object({
    url: endpointUrl,
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
  PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY: integerSetting(
    'PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY',
    1,
    256,
  ).default(8),
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
  return {
    endpoints: parseEndpoints(present['PERSONA_WEBHOOKS_APP_ENDPOINTS']),
    timeoutMs: parsed.data.PERSONA_WEBHOOKS_OUTBOUND_TIMEOUT_MS,
    concurrency: parsed.data.PERSONA_WEBHOOKS_OUTBOUND_CONCURRENCY,
    retryDelaysMs: parseRetryDelays(present['PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS']),
  };
}

function parseEndpoints(raw: string | undefined): EnvEndpoint[] {
  if (raw === undefined || raw.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'PERSONA_WEBHOOKS_APP_ENDPOINTS must be a JSON array such as [{"url":"https://app.example/kyc","secret":"whsec_…"}]',
    );
  }
  const parsed = z.array(endpointEntry).safeParse(json);
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
