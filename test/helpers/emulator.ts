/**
 * The Persona emulator for tests, started in-process on a free loopback port, and a client for it.
 * Everything talks real HTTP; nothing leaves 127.0.0.1.
 */
import {
  type Emulator,
  type EmulatorOptions,
  startEmulator,
} from '../../packages/server/src/emulator/emulator.js';
import {
  PersonaApiClient,
  type PersonaApiClientOptions,
} from '../../packages/server/src/persona-api/client.js';

export type { Emulator };

/** Starts an emulator; time runs 100,000× faster for retries unless told otherwise. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ timeScale: 100_000, ...options });
}

/** A client for `emulator` with the full-permission key and fast retries. */
export function emulatorClient(
  emulator: Emulator,
  options: Partial<PersonaApiClientOptions> = {},
): PersonaApiClient {
  return new PersonaApiClient({
    apiKey: emulator.apiKey,
    baseUrl: emulator.apiUrl,
    retryBaseDelayMs: 10,
    ...options,
  });
}

/** A request to one of the emulator's `/_emulator/*` control routes, with the key they need. */
export function emulatorControl(emulator: Emulator, path: string, body?: unknown): Promise<Response> {
  return fetch(`${emulator.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${emulator.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
