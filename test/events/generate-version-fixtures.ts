/**
 * Writes Persona's documented inquiry sample as webhooks on other API versions send it, per the API
 * changelog: before 2025-10-27 the key inflection applied to `fields` too; from 2025-10-27 it does not,
 * and `included` is sent only when asked for. Deliberately independent of `src/events/inflection.ts`.
 * Run once: `npx tsx test/events/generate-version-fixtures.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('../fixtures/', import.meta.url);
const source = JSON.parse(readFileSync(new URL('inquiry.approved.docs-sample.json', dir), 'utf8')) as {
  data: { attributes: { payload: Record<string, unknown> } };
};

const camel = (k: string) => k.replace(/-(.)/g, (_m, c: string) => c.toUpperCase());

function rekey(value: unknown, keepFields: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => rekey(item, keepFields));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      camel(k),
      keepFields && k === 'fields' ? v : rekey(v, keepFields),
    ]),
  );
}

const write = (name: string, value: unknown) =>
  writeFileSync(new URL(name, dir), `${JSON.stringify(value, null, 2)}\n`);

write('inquiry.approved.2023-01-05.camel.json', rekey(source, false));
const { included: _dropped, ...payload } = source.data.attributes.payload;
const withoutIncluded = { data: { ...source.data, attributes: { ...source.data.attributes, payload } } };
write('inquiry.approved.2025-10-27.camel.json', rekey(withoutIncluded, true));
