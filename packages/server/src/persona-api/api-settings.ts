/**
 * The Persona API settings shared by the service (reconciliation) and the CLI (backfill, doctor,
 * webhooks): `PERSONA_API_KEY`, `PERSONA_API_URL`, `PERSONA_API_MAX_REQUESTS_PER_MINUTE`,
 * `PERSONA_API_MAX_RESPONSE_BYTES`. Errors name the variable; the key itself is never echoed.
 */
import { ConfigError } from '../server/config/config-error.js';
import {
  DEFAULT_MAX_REQUESTS_PER_MINUTE,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_PERSONA_API_URL,
  PersonaApiClient,
} from './client.js';

export interface PersonaApiSettings {
  /** Null when unset: reconciliation is off, and API commands refuse to run. */
  apiKey: string | null;
  apiUrl: string;
  maxRequestsPerMinute: number;
  /** Largest answer the client reads. */
  maxResponseBytes: number;
}

/** Persona allows 300 a minute per environment; more than that from us alone makes no sense. */
const MAX_REQUESTS_PER_MINUTE = 300;
/** Bounds of PERSONA_API_MAX_RESPONSE_BYTES: a page must fit; a gigabyte is already far too much memory. */
const MIN_RESPONSE_BYTES = 64 * 1024;
const MAX_RESPONSE_BYTES = 1024 * 1024 * 1024;

/** Reads and validates the API settings. */
export function loadApiSettings(env: Readonly<Record<string, string | undefined>>): PersonaApiSettings {
  const apiKey = env['PERSONA_API_KEY']?.trim() || null;
  if (apiKey !== null && /\s/.test(apiKey)) {
    throw new ConfigError(
      'PERSONA_API_KEY contains spaces: copy the key exactly (persona_sandbox_… or persona_production_…).',
    );
  }
  const apiUrl = env['PERSONA_API_URL']?.trim() || DEFAULT_PERSONA_API_URL;
  let parsed: URL;
  try {
    parsed = new URL(apiUrl);
  } catch {
    throw new ConfigError(`PERSONA_API_URL must be a URL such as ${DEFAULT_PERSONA_API_URL}.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(`PERSONA_API_URL must be an http(s) URL such as ${DEFAULT_PERSONA_API_URL}.`);
  }
  const rawBudget = env['PERSONA_API_MAX_REQUESTS_PER_MINUTE']?.trim();
  const budget = rawBudget ? Number(rawBudget) : DEFAULT_MAX_REQUESTS_PER_MINUTE;
  if (!Number.isInteger(budget) || budget < 1 || budget > MAX_REQUESTS_PER_MINUTE) {
    throw new ConfigError(
      `PERSONA_API_MAX_REQUESTS_PER_MINUTE must be a whole number from 1 to ${MAX_REQUESTS_PER_MINUTE} (Persona's own limit); default ${DEFAULT_MAX_REQUESTS_PER_MINUTE}.`,
    );
  }
  const rawMaxBytes = env['PERSONA_API_MAX_RESPONSE_BYTES']?.trim();
  const maxResponseBytes = rawMaxBytes ? Number(rawMaxBytes) : DEFAULT_MAX_RESPONSE_BYTES;
  if (
    !Number.isInteger(maxResponseBytes) ||
    maxResponseBytes < MIN_RESPONSE_BYTES ||
    maxResponseBytes > MAX_RESPONSE_BYTES
  ) {
    throw new ConfigError(
      `PERSONA_API_MAX_RESPONSE_BYTES must be a whole number of bytes from ${MIN_RESPONSE_BYTES} to ${MAX_RESPONSE_BYTES}; default ${DEFAULT_MAX_RESPONSE_BYTES}.`,
    );
  }
  return { apiKey, apiUrl, maxRequestsPerMinute: budget, maxResponseBytes };
}

/** A client for the settings; `purpose` says in the error what needs the key. */
export function createApiClient(settings: PersonaApiSettings, purpose: string): PersonaApiClient {
  if (!settings.apiKey) {
    throw new ConfigError(
      `PERSONA_API_KEY is required ${purpose}: create an API key in Persona Dashboard → API → API Keys (permissions event.read, webhook.read, webhook.write; doctor also searches delivery records, POST /webhook-events/search) and export PERSONA_API_KEY.`,
    );
  }
  return new PersonaApiClient({
    apiKey: settings.apiKey,
    baseUrl: settings.apiUrl,
    maxRequestsPerWindow: settings.maxRequestsPerMinute,
    maxResponseBytes: settings.maxResponseBytes,
  });
}
