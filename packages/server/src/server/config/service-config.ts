/**
 * The service's configuration: environment variables, overridable by CLI flags, validated once at start
 * into a frozen object. Errors name the variable and say how to fix it.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONCURRENT_BODIES,
  DEFAULT_TOLERANCE_SECONDS,
} from 'persona-webhooks';
import { z } from 'zod';
import { DEFAULT_POSTGRES_SCHEMA, parseDatabaseUrl } from '../../open-store.js';
import {
  loadOutboundConfig,
  OUTBOUND_SETTINGS,
  type OutboundConfig,
} from '../../outbound/outbound-config.js';
import { type Keyring, parseKeyring, SECRETS_KEYS_SETTING } from '../../secrets-at-rest/keyring.js';
import { ConfigError } from './config-error.js';
import { integerSetting } from './integer-setting.js';
import { loadRecoveryConfig, RECOVERY_SETTINGS, type RecoveryConfig } from './recovery-config.js';

export const DEFAULT_DATABASE_URL = 'sqlite:./data/persona-webhooks.db';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface ServiceConfig {
  secrets: readonly string[];
  port: number;
  host: string;
  databaseUrl: string;
  adminToken: string;
  /** True when no ADMIN_TOKEN was configured and one was generated for this run. */
  adminTokenGenerated: boolean;
  toleranceSeconds: number;
  maxBodyBytes: number;
  /** Most webhook bodies read at once; more are answered 503 before their body is read. */
  maxConcurrentBodies: number;
  /** Time a client has to send a whole request, headers and body; half of it for the headers. */
  requestTimeoutMs: number;
  handlersPath: string | null;
  /** PERSONA_WEBHOOKS_POLICY: the KYC policy file (JSON); null for the default policy. */
  policyPath: string | null;
  logLevel: (typeof LOG_LEVELS)[number];
  /** How long raw payloads are kept before their bodies are purged. */
  retentionDays: number;
  /** Attempts before an event is dead. */
  maxAttempts: number;
  /** How long a worker holds an event; a crashed worker's events are retried after this. */
  leaseMs: number;
  /** PostgreSQL schema holding the tables (PostgreSQL only). */
  postgresSchema: string;
  /** Extra secret mixed into the dashboard session key; changing it signs every browser out. */
  sessionSecret: string | null;
  /** How long a dashboard sign-in lasts. */
  sessionTtlMs: number;
  /** TRUST_PROXY: whose X-Forwarded-* headers to believe (client IP, protocol, host); see `http/trust-proxy.ts`. */
  trustProxy: boolean | number | string;
  /** Persona API access and reconciliation. */
  recovery: RecoveryConfig;
  /** SQLite only: run the store in a worker thread of its own (more memory; see the README). */
  sqliteThread: boolean;
  /** Events the worker processes at once (handlers running concurrently). */
  workerConcurrency: number;
  /** Outbound `kyc.decision_changed` webhooks: env endpoints (with their secrets) and the sender's knobs. */
  outbound: OutboundConfig;
  /** PERSONA_WEBHOOKS_SECRETS_KEYS: the keys endpoint secrets are encrypted with at rest (none: in clear). */
  secretsKeys: Keyring;
}

/**
 * The service's worker concurrency. Higher than the library's 8: completions commit in groups, so the
 * number of events in flight is the group size, and 32 drains about 1.5× (SQLite) and 1.2× (PostgreSQL)
 * faster than 8 in `npm run bench`. Lower it if your handlers call an API that must not see 32 calls
 * at once.
 */
export const DEFAULT_WORKER_CONCURRENCY = 32;

/** Raw settings by environment-variable name; CLI flags are mapped onto the same names. */
export type RawSettings = Partial<Record<(typeof SETTINGS)[number], string | undefined>>;

export const SETTINGS = [
  'PERSONA_WEBHOOK_SECRET',
  'PORT',
  'HOST',
  'DATABASE_URL',
  'ADMIN_TOKEN',
  'PERSONA_SIGNATURE_TOLERANCE_SECONDS',
  'PERSONA_WEBHOOK_MAX_BODY_BYTES',
  'PERSONA_WEBHOOK_MAX_CONCURRENT_BODIES',
  'PERSONA_WEBHOOK_REQUEST_TIMEOUT_SECONDS',
  'PERSONA_WEBHOOKS_HANDLERS',
  'PERSONA_WEBHOOKS_POLICY',
  'LOG_LEVEL',
  'PERSONA_WEBHOOKS_RETENTION_DAYS',
  'PERSONA_WEBHOOKS_MAX_ATTEMPTS',
  'PERSONA_WEBHOOKS_LEASE_SECONDS',
  'PERSONA_WEBHOOKS_PG_SCHEMA',
  'ADMIN_SESSION_SECRET',
  'ADMIN_SESSION_TTL_HOURS',
  'TRUST_PROXY',
  'PERSONA_WEBHOOKS_SQLITE_THREAD',
  'PERSONA_WEBHOOKS_WORKER_CONCURRENCY',
  SECRETS_KEYS_SETTING,
  ...RECOVERY_SETTINGS,
  ...OUTBOUND_SETTINGS,
] as const;

export { ConfigError } from './config-error.js';

const schema = z.object({
  PERSONA_WEBHOOK_SECRET: z
    .string({
      error:
        'PERSONA_WEBHOOK_SECRET is required: copy the webhook secret (wbhsec_…) from Persona Dashboard → Webhooks → your webhook. Several secrets may be given comma-separated during rotation.',
    })
    .transform((value) =>
      value
        .split(',')
        .map((secret) => secret.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string())
        .min(1, 'PERSONA_WEBHOOK_SECRET is empty: copy it from Persona Dashboard → Webhooks.'),
    ),
  PORT: integerSetting('PORT', 0, 65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATABASE_URL: z.string().trim().min(1).default(DEFAULT_DATABASE_URL).superRefine(checkDatabaseUrl),
  ADMIN_TOKEN: z.string().trim().min(16, 'ADMIN_TOKEN must be at least 16 characters').optional(),
  PERSONA_SIGNATURE_TOLERANCE_SECONDS: integerSetting(
    'PERSONA_SIGNATURE_TOLERANCE_SECONDS',
    0,
    86_400,
  ).default(DEFAULT_TOLERANCE_SECONDS),
  PERSONA_WEBHOOK_MAX_BODY_BYTES: integerSetting(
    'PERSONA_WEBHOOK_MAX_BODY_BYTES',
    1024,
    100 * 1024 * 1024,
  ).default(DEFAULT_MAX_BODY_BYTES),
  PERSONA_WEBHOOK_MAX_CONCURRENT_BODIES: integerSetting(
    'PERSONA_WEBHOOK_MAX_CONCURRENT_BODIES',
    1,
    10_000,
  ).default(DEFAULT_MAX_CONCURRENT_BODIES),
  // Persona sends a whole body at once and gives up after 5 s; 10 s leaves room for slow networks.
  PERSONA_WEBHOOK_REQUEST_TIMEOUT_SECONDS: integerSetting(
    'PERSONA_WEBHOOK_REQUEST_TIMEOUT_SECONDS',
    2,
    600,
  ).default(10),
  PERSONA_WEBHOOKS_HANDLERS: z.string().trim().min(1).optional(),
  PERSONA_WEBHOOKS_POLICY: z.string().trim().min(1).optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  PERSONA_WEBHOOKS_RETENTION_DAYS: integerSetting('PERSONA_WEBHOOKS_RETENTION_DAYS', 1, 3650).default(30),
  PERSONA_WEBHOOKS_MAX_ATTEMPTS: integerSetting('PERSONA_WEBHOOKS_MAX_ATTEMPTS', 1, 100).default(10),
  PERSONA_WEBHOOKS_LEASE_SECONDS: integerSetting('PERSONA_WEBHOOKS_LEASE_SECONDS', 1, 3600).default(60),
  PERSONA_WEBHOOKS_PG_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'PERSONA_WEBHOOKS_PG_SCHEMA must be a lower-case SQL identifier')
    .default(DEFAULT_POSTGRES_SCHEMA),
  ADMIN_SESSION_SECRET: z
    .string()
    .trim()
    .min(16, 'ADMIN_SESSION_SECRET must be at least 16 characters')
    .optional(),
  ADMIN_SESSION_TTL_HOURS: integerSetting('ADMIN_SESSION_TTL_HOURS', 1, 24 * 30).default(12),
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(
      /^(true|false|\d+|[0-9a-fA-F.:/]+(\s*,\s*[0-9a-fA-F.:/]+)*)$/,
      'TRUST_PROXY must be true, false, a number of proxy hops, or comma-separated proxy addresses/CIDRs',
    )
    .transform(parseTrustProxy)
    .default(false),
  PERSONA_WEBHOOKS_SQLITE_THREAD: z
    .enum(['on', 'off'], { error: 'PERSONA_WEBHOOKS_SQLITE_THREAD must be on or off' })
    .default('off'),
  PERSONA_WEBHOOKS_WORKER_CONCURRENCY: integerSetting('PERSONA_WEBHOOKS_WORKER_CONCURRENCY', 1, 256).default(
    DEFAULT_WORKER_CONCURRENCY,
  ),
});

/** Refuses a DATABASE_URL the store cannot open (a typo'd scheme), before anything starts. */
function checkDatabaseUrl(value: string, context: z.RefinementCtx): void {
  try {
    parseDatabaseUrl(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
}

/** `true`/`false`, a hop count, or addresses as Fastify's `trustProxy` takes them. */
function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * Validates raw settings (normally `process.env` merged with CLI flags).
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(raw: RawSettings): Readonly<ServiceConfig> {
  const present = Object.fromEntries(
    SETTINGS.map((name) => [name, raw[name]]).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  }
  const settings = parsed.data;
  const recovery = loadRecoveryConfig(present);
  const outbound = loadOutboundConfig(present);
  return Object.freeze({
    secrets: Object.freeze(settings.PERSONA_WEBHOOK_SECRET),
    port: settings.PORT,
    host: settings.HOST,
    databaseUrl: settings.DATABASE_URL,
    adminToken: settings.ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
    adminTokenGenerated: settings.ADMIN_TOKEN === undefined,
    toleranceSeconds: settings.PERSONA_SIGNATURE_TOLERANCE_SECONDS,
    maxBodyBytes: settings.PERSONA_WEBHOOK_MAX_BODY_BYTES,
    maxConcurrentBodies: settings.PERSONA_WEBHOOK_MAX_CONCURRENT_BODIES,
    requestTimeoutMs: settings.PERSONA_WEBHOOK_REQUEST_TIMEOUT_SECONDS * 1000,
    handlersPath: settings.PERSONA_WEBHOOKS_HANDLERS ?? null,
    policyPath: settings.PERSONA_WEBHOOKS_POLICY ?? null,
    logLevel: settings.LOG_LEVEL,
    retentionDays: settings.PERSONA_WEBHOOKS_RETENTION_DAYS,
    maxAttempts: settings.PERSONA_WEBHOOKS_MAX_ATTEMPTS,
    leaseMs: settings.PERSONA_WEBHOOKS_LEASE_SECONDS * 1000,
    postgresSchema: settings.PERSONA_WEBHOOKS_PG_SCHEMA,
    sessionSecret: settings.ADMIN_SESSION_SECRET ?? null,
    sessionTtlMs: settings.ADMIN_SESSION_TTL_HOURS * 60 * 60 * 1000,
    trustProxy: settings.TRUST_PROXY,
    recovery,
    sqliteThread: settings.PERSONA_WEBHOOKS_SQLITE_THREAD === 'on',
    workerConcurrency: settings.PERSONA_WEBHOOKS_WORKER_CONCURRENCY,
    outbound,
    secretsKeys: parseKeyring(present[SECRETS_KEYS_SETTING]),
  });
}
