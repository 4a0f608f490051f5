import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { envelope, fixtureBytes, sampleEnvelope } from './fixtures.js';

function parsed(body: Uint8Array | string) {
  const result = parseEvent(body);
  if (!result.ok) throw new Error(`expected a valid event, got: ${result.reason}`);
  return result.event;
}

function reasonFor(body: Uint8Array | string): string {
  const result = parseEvent(body);
  if (result.ok) throw new Error('expected a rejection');
  return result.reason;
}

const inquiry = { type: 'inquiry', id: 'inq_1', attributes: { status: 'approved' } };

describe('parseEvent on Persona’s sample (kebab)', () => {
  const raw = fixtureBytes('inquiry.approved.docs-sample.json');
  const event = parsed(raw);

  it('reads the envelope', () => {
    expect(event.id).toBe('evt_o9byQRbjygu76Jbtea9wuJ1boP7a');
    expect(event.name).toBe('inquiry.approved');
    expect(event.createdAt).toBe('2024-02-15T23:48:17.732Z');
    expect(event.createdAtMs).toBe(Date.UTC(2024, 1, 15, 23, 48, 17, 732));
    expect(event.object.type).toBe('inquiry');
    expect(event.object.id).toBe('inq_zEx4jL84ShbUyuwX6AzPSqt6');
    expect(event.inquiryId).toBe('inq_zEx4jL84ShbUyuwX6AzPSqt6');
    expect(event.accountId).toBe('act_n2uq9eKMboaCQzu9ALWYcVdN');
    expect(event.raw).toBe(raw);
  });

  it('camelCases attribute, nested and relationship keys but never values', () => {
    const { attributes, relationships } = event.object;
    expect(attributes['referenceId']).toBe('abc-123');
    expect(attributes['reviewerComment']).toBeNull();
    expect(attributes['behaviors']).toMatchObject({
      apiVersionLessThanMinimumCount: 0,
      completionTime: 40.172463903,
    });
    expect(attributes).not.toHaveProperty('reference-id');
    expect(relationships?.['inquiryTemplateVersion']?.data).toEqual({
      id: 'itmplv_iXhqfNWqwYLAWs9G8Fm8hPfo',
      type: 'inquiry-template-version',
    });
    expect(event.included.map((object) => object.type)).toEqual(['inquiry-session', 'inquiry-template']);
    expect(event.included[0]?.attributes['ipAddress']).toBe('127.0.0.1');
  });

  it('keeps inquiry fields exactly as sent', () => {
    const sent = (
      sampleEnvelope() as { data: { attributes: { payload: { data: { attributes: { fields: unknown } } } } } }
    ).data.attributes.payload.data.attributes.fields;
    expect(event.object.attributes['fields']).toEqual(sent);
    expect(Object.keys(event.object.attributes['fields'] as object)).toContain('address-street-1');
  });
});

describe('parseEvent across key inflections', () => {
  const { raw: _kebabRaw, ...kebab } = parsed(fixtureBytes('inquiry.approved.docs-sample.json'));

  it.each(['camel', 'snake'])('the %s variant parses to the same event', (inflection) => {
    const raw = fixtureBytes(`inquiry.approved.${inflection}.json`);
    const { raw: parsedRaw, ...event } = parsed(raw);
    expect(event).toEqual(kebab);
    expect(parsedRaw).toBe(raw);
  });

  it('accepts a string body and keeps its UTF-8 bytes as raw', () => {
    const text = envelope({ ...inquiry, attributes: { 'name-first': 'Zoë' } });
    const event = parsed(text);
    expect(new TextDecoder().decode(event.raw)).toBe(text);
    expect(event.object.attributes['nameFirst']).toBe('Zoë');
  });
});

describe('parseEvent is lenient where Persona may change things', () => {
  it('accepts unknown names, attributes, statuses and id prefixes', () => {
    const event = parsed(
      envelope(
        {
          type: 'widget',
          id: 'wdg_new',
          attributes: { status: 'brand_new', 'shiny-new-thing': { 'deep-key': 1 } },
        },
        { name: 'widget.invented' },
      ),
    );
    expect(event.name).toBe('widget.invented');
    expect(event.object.attributes).toEqual({ status: 'brand_new', shinyNewThing: { deepKey: 1 } });
    expect(event.inquiryId).toBeNull();
    expect(event.accountId).toBeNull();
  });

  it('does not require included, relationships, attributes or data.type', () => {
    const body = JSON.stringify({
      data: {
        id: 'evt_1',
        attributes: {
          name: 'x.y',
          created_at: '2024-01-01T00:00:00Z',
          payload: { data: { type: 't', id: 'i' } },
        },
      },
    });
    const event = parsed(body);
    expect(event.included).toEqual([]);
    expect(event.object).toEqual({ type: 't', id: 'i', attributes: {} });
  });

  it('finds the inquiry and account through relationships, ignoring empty or to-many ones', () => {
    const verification = {
      type: 'verification/government-id',
      id: 'ver_1',
      relationships: { inquiry: { data: { type: 'inquiry', id: 'inq_9' } }, account: { data: {} } },
    };
    const event = parsed(envelope(verification, { name: 'verification.passed' }));
    expect([event.inquiryId, event.accountId]).toEqual(['inq_9', null]);

    const account = parsed(
      envelope({ type: 'account', id: 'act_1', relationships: { inquiry: { data: [] } } }),
    );
    expect([account.inquiryId, account.accountId]).toEqual([null, 'act_1']);
  });

  it('drops unreadable included resources instead of rejecting the event', () => {
    const event = parsed(
      JSON.stringify({
        data: {
          id: 'evt_1',
          attributes: {
            name: 'inquiry.created',
            'created-at': '2024-01-01T00:00:00.000+02:00',
            payload: { data: inquiry, included: [{ type: 'account', id: 'act_1' }, { type: 'x' }, 7, null] },
          },
        },
      }),
    );
    expect(event.included).toEqual([{ type: 'account', id: 'act_1', attributes: {} }]);
    expect(event.createdAtMs).toBe(Date.UTC(2023, 11, 31, 22));
  });
});

describe('parseEvent rejections', () => {
  const withData = (data: unknown) => JSON.stringify({ data });
  const attrs = (attributes: Record<string, unknown>) => withData({ type: 'event', id: 'evt_1', attributes });
  const base = {
    name: 'inquiry.approved',
    'created-at': '2024-02-15T23:48:17.732Z',
    payload: { data: inquiry },
  };

  it.each<[string, Uint8Array | string, string]>([
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'body is not valid UTF-8'],
    ['invalid JSON', '{"data":', 'body is not valid JSON'],
    ['an empty body', '', 'body is not valid JSON'],
    ['a top-level array', '[]', 'body is not a JSON object'],
    ['a top-level null', 'null', 'body is not a JSON object'],
    ['a top-level string', '"evt"', 'body is not a JSON object'],
    ['no data', '{}', 'data is missing'],
    ['data not an object', withData([1]), 'data is not an object'],
    [
      'data.type not event',
      withData({ type: 'inquiry', id: 'evt_1', attributes: base }),
      'data.type is not "event"',
    ],
    ['no data.id', withData({ type: 'event', attributes: base }), 'data.id is missing'],
    ['empty data.id', withData({ type: 'event', id: '', attributes: base }), 'data.id is empty'],
    ['numeric data.id', withData({ type: 'event', id: 1, attributes: base }), 'data.id is not a string'],
    ['no attributes', withData({ type: 'event', id: 'evt_1' }), 'data.attributes is missing'],
    ['no name', attrs({ ...base, name: undefined }), 'data.attributes.name is missing'],
    ['no created-at', attrs({ ...base, 'created-at': undefined }), 'data.attributes.created-at is missing'],
    [
      'numeric created-at',
      attrs({ ...base, 'created-at': 1708040897 }),
      'data.attributes.created-at is not a string',
    ],
    [
      'non-ISO created-at',
      attrs({ ...base, 'created-at': '1' }),
      'data.attributes.created-at is not an ISO 8601 timestamp',
    ],
    [
      'impossible date',
      attrs({ ...base, 'created-at': '2024-02-30T00:00:00Z' }),
      'data.attributes.created-at is not an ISO 8601 timestamp',
    ],
    [
      'impossible hour',
      attrs({ ...base, created_at: '2024-02-10T25:00:00Z', 'created-at': undefined }),
      'data.attributes.created-at is not an ISO 8601 timestamp',
    ],
    ['no payload', attrs({ ...base, payload: undefined }), 'data.attributes.payload is missing'],
    ['no payload.data', attrs({ ...base, payload: {} }), 'data.attributes.payload.data is missing'],
    [
      'payload.data an array',
      attrs({ ...base, payload: { data: [inquiry] } }),
      'data.attributes.payload.data is not an object',
    ],
    [
      'object without type',
      attrs({ ...base, payload: { data: { id: 'inq_1' } } }),
      'data.attributes.payload.data.type is missing',
    ],
    [
      'object without id',
      attrs({ ...base, payload: { data: { type: 'inquiry' } } }),
      'data.attributes.payload.data.id is missing',
    ],
    [
      'too deep',
      envelope({ ...inquiry, attributes: { deep: JSON.parse('['.repeat(100) + ']'.repeat(100)) } }),
      'body nests deeper than 64 levels',
    ],
    [
      'too deep inside fields, which are never inflected',
      envelope({ ...inquiry, attributes: { fields: JSON.parse('['.repeat(100) + ']'.repeat(100)) } }),
      'body nests deeper than 64 levels',
    ],
    [
      'a million levels of nesting (parsed, then refused by the walk before any recursion deepens)',
      `{"data":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`,
      'body nests deeper than 64 levels',
    ],
    [
      'a NUL in data.id',
      withData({ type: 'event', id: 'evt_\u0000x', attributes: base }),
      'data.id contains a NUL character',
    ],
    [
      'an over-long data.id',
      withData({ type: 'event', id: `evt_${'x'.repeat(297)}`, attributes: base }),
      'data.id is longer than 300 characters',
    ],
    [
      'a NUL in the name',
      attrs({ ...base, name: 'inquiry.\u0000approved' }),
      'data.attributes.name contains a NUL character',
    ],
    [
      'an over-long name',
      attrs({ ...base, name: 'n'.repeat(201) }),
      'data.attributes.name is longer than 200 characters',
    ],
    [
      'a NUL in the object id',
      attrs({ ...base, payload: { data: { type: 'inquiry', id: 'inq_\u0000' } } }),
      'data.attributes.payload.data.id contains a NUL character',
    ],
    [
      'a NUL in the related inquiry id',
      attrs({
        ...base,
        payload: {
          data: {
            type: 'verification/government-id',
            id: 'ver_1',
            relationships: { inquiry: { data: { type: 'inquiry', id: 'inq_\u0000' } } },
          },
        },
      }),
      'the related inquiry id contains a NUL character',
    ],
  ])('rejects %s', (_case, body, reason) => {
    expect(reasonFor(body)).toBe(reason);
  });

  it('accepts ids of exactly 300 characters and NUL inside ordinary attribute values', () => {
    const parsed = parseEvent(
      withData({
        type: 'event',
        id: `evt_${'x'.repeat(296)}`,
        attributes: { ...base, payload: { data: { ...inquiry, attributes: { note: 'a\u0000b' } } } },
      }),
    );
    expect(parsed.ok).toBe(true);
  });

  it('rejects a created-at later than createdAtNotAfterMs, and accepts it up to that instant', () => {
    const body = attrs({ ...base, 'created-at': '9999-01-01T00:00:00.000Z' });
    expect(parseEvent(body, { createdAtNotAfterMs: Date.now() })).toEqual({
      ok: false,
      reason: 'data.attributes.created-at is in the future',
    });
    expect(parseEvent(body).ok).toBe(true);
    const edge = attrs(base);
    expect(parseEvent(edge, { createdAtNotAfterMs: Date.parse(base['created-at']) }).ok).toBe(true);
  });

  it('never echoes payload contents in a reason', () => {
    expect(reasonFor(withData({ type: 'secret-pii-value', id: 'evt_1', attributes: base }))).not.toContain(
      'secret',
    );
  });
});

describe('parseEvent against prototype pollution', () => {
  it('drops __proto__ and constructor keys without touching any prototype', () => {
    const body =
      '{"data":{"type":"event","id":"evt_1","__proto__":{"polluted":true},"attributes":{"name":"inquiry.approved",' +
      '"created-at":"2024-02-15T23:48:17.732Z","payload":{"data":{"type":"inquiry","id":"inq_1","attributes":' +
      '{"__proto__":{"status":"hacked"},"constructor":{"prototype":{"polluted":true}},"status":"approved"}}}}}}';
    const event = parsed(body);
    const attributes = event.object.attributes;
    expect(attributes['status']).toBe('approved');
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes)).toEqual(['status']);
    expect(attributes.constructor).toBe(Object);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('drops a __proto__ key inside fields, so Object.assign over them picks up no prototype', () => {
    const body =
      '{"data":{"type":"event","id":"evt_1","attributes":{"name":"inquiry.approved",' +
      '"created-at":"2024-02-15T23:48:17.732Z","payload":{"data":{"type":"inquiry","id":"inq_1","attributes":' +
      '{"status":"approved","fields":{"__proto__":{"isAdmin":true},"name-first":{"type":"string","value":"Jane"}}}}}}}}';
    const fields = parsed(body).object.attributes['fields'] as Record<string, unknown>;
    expect(Object.keys(fields)).toEqual(['name-first']);
    const merged = Object.assign({}, fields) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged['isAdmin']).toBeUndefined();
  });
});
