/** Reads the envelope fixtures in `test/fixtures/` as bytes and as parsed JSON, for the events tests. */
import { readFileSync } from 'node:fs';

/** The exact bytes of a fixture file. */
export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
}

/** Persona's own kebab-case sample envelope, parsed, as a fresh mutable copy. */
export function sampleEnvelope(): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(fixtureBytes('inquiry.approved.docs-sample.json')));
}

/** A minimal valid envelope (kebab keys) whose object is `object`; `overrides` patch `data.attributes`. */
export function envelope(object: unknown, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    data: {
      type: 'event',
      id: 'evt_test',
      attributes: {
        name: 'inquiry.approved',
        'created-at': '2024-02-15T23:48:17.732Z',
        payload: { data: object },
        ...overrides,
      },
    },
  });
}
