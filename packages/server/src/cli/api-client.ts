/** The Persona API client for a CLI command: environment settings, `--api-url` winning. */

import { createApiClient, loadApiSettings } from '../persona-api/api-settings.js';
import type { PersonaApiClient } from '../persona-api/client.js';

/** The `--api-url` option every API command takes. */
export const API_URL_OPTION = [
  '--api-url <url>',
  'Persona API base (PERSONA_API_URL, default https://api.withpersona.com/api/v1)',
] as const;

export function apiClientFor(flags: { apiUrl?: string }, purpose: string): PersonaApiClient {
  const env = { ...process.env, ...(flags.apiUrl ? { PERSONA_API_URL: flags.apiUrl } : {}) };
  return createApiClient(loadApiSettings(env), purpose);
}

/** PERSONA_WEBHOOK_SECRET (or a flag) as a list of secrets. */
export function configuredSecrets(flag: string | undefined): string[] {
  return (flag ?? process.env['PERSONA_WEBHOOK_SECRET'] ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
}
