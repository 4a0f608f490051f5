/**
 * The Persona API settings shared by the service (reconciliation) and the CLI (backfill, doctor,
 * webhooks): `PERSONA_API_KEY`, `PERSONA_API_URL`, `PERSONA_API_MAX_REQUESTS_PER_MINUTE`. Errors name
 * the variable; the key itself is never echoed.
 */
import { ConfigError } from '../server/config-error.js';
import { DEFAULT_MAX_REQUESTS_PER_MINUTE, DEFAULT_PERSONA_API_URL, PersonaApiClient } from './client.js';

export interface PersonaApiSettings {
  /** Null when unset: reconciliation is off, and API commands refuse to run. */
  apiKey: string | null;
  apiUrl: string;
  maxRequestsPerMinute: number;
}

/** Persona allows 300 a minute per environment; more than that from us alone makes no sense. */
const MAX_REQUESTS_PER_MINUTE = 300;

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
  return { apiKey, apiUrl, maxRequestsPerMinute: budget };
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
  });
}
