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
