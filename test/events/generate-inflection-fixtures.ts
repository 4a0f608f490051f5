/**
 * Writes the camel- and snake-inflected variants of Persona's kebab sample, as Persona would send them
 * with the webhook's key inflection switched. Deliberately independent of `src/events/inflection.ts`,
 * so the fixtures can catch its mistakes. Run once: `npx tsx test/events/generate-inflection-fixtures.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../fixtures/', import.meta.url);
const source = JSON.parse(readFileSync(new URL('inquiry.approved.docs-sample.json', dir), 'utf8')) as unknown;

function rekey(value: unknown, key: (kebab: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => rekey(item, key));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    // From API version 2025-10-27 Persona does not inflect fields (older versions did: see
    // generate-version-fixtures.ts), so their subtree is copied as is.
    Object.entries(value).map(([k, v]) => [key(k), k === 'fields' ? v : rekey(v, key)]),
  );
}

const variants = {
  camel: (k: string) => k.replace(/-(.)/g, (_m, c: string) => c.toUpperCase()),
  snake: (k: string) => k.replaceAll('-', '_'),
};

for (const [name, key] of Object.entries(variants)) {
  const file = new URL(`inquiry.approved.${name}.json`, dir);
  writeFileSync(file, JSON.stringify(rekey(source, key), null, 2) + '\n');
}
