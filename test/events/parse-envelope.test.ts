import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../packages/persona-webhooks/src/events/parse-envelope.js';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { envelope, fixtureBytes } from './fixtures.js';

const encode = (text: string) => new TextEncoder().encode(text);

/** The envelope part of a result; the parsed root it also carries is checked on its own. */
function envelopeOnly(body: Uint8Array) {
  const result = parseEnvelope(body);
  return result.ok ? { ok: true, envelope: result.envelope } : result;
}

/** What the full parse says about the fields ingest reads from the envelope. */
function envelopeOfFullParse(body: Uint8Array) {
  const parsed = parseEvent(body);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  const { event } = parsed;
  const reference = event.object.attributes['referenceId'];
  return {
    ok: true,
    envelope: {
      id: event.id,
      name: event.name,
      createdAt: event.createdAt,
      createdAtMs: event.createdAtMs,
      objectType: event.object.type,
      objectId: event.object.id,
      inquiryId: event.inquiryId,
      accountId: event.accountId,
      referenceId: typeof reference === 'string' && reference.length > 0 ? reference : null,
    },
  };
}

describe('parseEnvelope (what ingest reads)', () => {
  it.each([
    'inquiry.approved.docs-sample.json',
    'inquiry.approved.camel.json',
    'inquiry.approved.snake.json',
  ])('reads the same envelope as the full parse from %s', (fixture) => {
    const body = fixtureBytes(fixture);
    const result = parseEnvelope(body);
    expect(envelopeOnly(body)).toEqual(envelopeOfFullParse(body));
    // The root handed to the worker is the body's JSON as parsed, untouched.
    expect(result.ok && result.root).toEqual(JSON.parse(new TextDecoder().decode(body)));
    expect(result.ok && result.envelope.referenceId).toBeTruthy();
    expect(result.ok && result.envelope.createdAt).toBeTruthy();
  });

  it('agrees with the full parse on every envelope it accepts or refuses, whatever the rest holds', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 3 }), (value, other) => {
        for (const text of [
          JSON.stringify(value),
          JSON.stringify({ data: value }),
          envelope(value),
          envelope({ type: 'inquiry', id: 'inq_1', attributes: value, relationships: other }),
          envelope({ type: 'verification/government-id', id: 'ver_1', relationships: value }),
          envelope({ type: 'inquiry', id: 'inq_1' }, { 'created-at': value }),
          envelope({ type: 'account', id: 'act_1', attributes: { 'reference-id': value } }),
        ]) {
          const body = encode(text);
          expect(envelopeOnly(body)).toEqual(envelopeOfFullParse(body));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the depth of the rest of the body to the worker: one parse, no walk, at ingest', () => {
    const deep = JSON.parse('['.repeat(100) + ']'.repeat(100));
    const body = encode(envelope({ type: 'inquiry', id: 'inq_1', attributes: { fields: { deep } } }));
    expect(parseEnvelope(body)).toMatchObject({ ok: true, envelope: { id: 'evt_test', inquiryId: 'inq_1' } });
    expect(parseEvent(body)).toEqual({ ok: false, reason: 'body nests deeper than 64 levels' });
  });

  it('never resolves a key through Object.prototype', () => {
    expect(parseEnvelope(encode('{"data":{"constructor":1}}'))).toEqual({
      ok: false,
      reason: 'data.id is missing',
    });
  });
});
