/**
 * The settings of recovery through Persona's API: the API client's (`PERSONA_API_*`) and
 * reconciliation's (`PERSONA_RECONCILE_*`). Reconciliation runs only with an API key and a non-zero
 * interval; `offReason` says why it does not.
 */
import { z } from 'zod';
import { loadApiSettings, type PersonaApiSettings } from '../../persona-api/api-settings.js';
import type { ReconcileSettings } from '../../reconcile/reconciler.js';
import { ConfigError } from './config-error.js';

export const RECOVERY_SETTINGS = [
  'PERSONA_API_KEY',
  'PERSONA_API_URL',
  'PERSONA_API_MAX_REQUESTS_PER_MINUTE',
  'PERSONA_API_MAX_RESPONSE_BYTES',
  'PERSONA_RECONCILE_INTERVAL_SECONDS',
  'PERSONA_RECONCILE_LOOKBACK_HOURS',
  'PERSONA_RECONCILE_OVERLAP_MINUTES',
  'PERSONA_RECONCILE_MIN_AGE_SECONDS',
] as const;

export interface RecoveryConfig {
  api: PersonaApiSettings;
  /** Null when reconciliation is off. */
  reconcile: ReconcileSettings | null;
  /** Why reconciliation is off, for the log and `GET /api/reconcile`. */
  offReason: string | null;
}

const decimal = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a number`)
    .transform(Number)
    .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

const schema = z.object({
  PERSONA_RECONCILE_INTERVAL_SECONDS: decimal('PERSONA_RECONCILE_INTERVAL_SECONDS', 0, 86_400).default(300),
  // Longer than Persona's ~51 h of retries, so a first run covers everything Persona may have given up on.
  PERSONA_RECONCILE_LOOKBACK_HOURS: decimal('PERSONA_RECONCILE_LOOKBACK_HOURS', 0.001, 24 * 90).default(72),
  PERSONA_RECONCILE_OVERLAP_MINUTES: decimal('PERSONA_RECONCILE_OVERLAP_MINUTES', 0, 24 * 60).default(15),
  PERSONA_RECONCILE_MIN_AGE_SECONDS: decimal('PERSONA_RECONCILE_MIN_AGE_SECONDS', 0, 3600).default(60),
});

/** Validates the recovery settings among `present` (the non-empty settings). */
export function loadRecoveryConfig(present: Readonly<Record<string, string | undefined>>): RecoveryConfig {
  const api = loadApiSettings(present);
  const parsed = schema.safeParse(
    Object.fromEntries(
      Object.keys(schema.shape).flatMap((key) => (present[key] ? [[key, present[key]]] : [])),
    ),
  );
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message).join('\n'));
  const settings = parsed.data;
  const offReason = !api.apiKey
    ? 'PERSONA_API_KEY is not set'
    : settings.PERSONA_RECONCILE_INTERVAL_SECONDS === 0
      ? 'PERSONA_RECONCILE_INTERVAL_SECONDS is 0'
      : null;
  return {
    api,
    offReason,
    reconcile:
      offReason === null
        ? {
            intervalMs: settings.PERSONA_RECONCILE_INTERVAL_SECONDS * 1000,
            lookbackMs: settings.PERSONA_RECONCILE_LOOKBACK_HOURS * 3_600_000,
            overlapMs: settings.PERSONA_RECONCILE_OVERLAP_MINUTES * 60_000,
            minAgeMs: settings.PERSONA_RECONCILE_MIN_AGE_SECONDS * 1000,
          }
        : null,
  };
}
