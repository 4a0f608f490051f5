import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { envelope } from './fixtures.js';

function expectResult(body: Uint8Array | string): void {
  const result = parseEvent(body);
  if (result.ok) expect(typeof result.event.id).toBe('string');
  else expect(result.reason).toMatch(/\S/);
}

describe('parseEvent never throws', () => {
  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), expectResult), { numRuns: 500 });
  });

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 512 }), expectResult), { numRuns: 500 });
  });

  it('on arbitrary JSON values, at the top level and inside an envelope', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expectResult(JSON.stringify(value));
        expectResult(JSON.stringify({ data: value }));
        expectResult(envelope(value));
        expectResult(
          envelope(
            { type: 'inquiry', id: 'inq_1', attributes: value, relationships: value },
            { 'created-at': value },
          ),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('accepts any object id and type strings and keeps them verbatim', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (type, id) => {
        const result = parseEvent(envelope({ type, id }));
        expect(result.ok && [result.event.object.type, result.event.object.id]).toEqual([type, id]);
      }),
    );
  });
});
