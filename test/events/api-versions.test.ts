/**
 * One receiver sees several API versions' shapes (each webhook is set to its own version): every shape
 * Persona's changelog describes goes through `parseEnvelope` (ingest) and `parseEvent` (the worker).
 */
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../packages/persona-webhooks/src/events/parse-envelope.js';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { fixtureBytes } from './fixtures.js';

function both(name: string) {
  const raw = fixtureBytes(name);
  const envelope = parseEnvelope(raw);
  const event = parseEvent(raw);
  if (!envelope.ok) throw new Error(`parseEnvelope refused ${name}: ${envelope.reason}`);
  if (!event.ok) throw new Error(`parseEvent refused ${name}: ${event.reason}`);
  return { envelope: envelope.envelope, event: event.event };
}

describe('API version shapes', () => {
  it('2023-01-05, camel inflection: fields inflected too, included sent', () => {
    const { envelope, event } = both('inquiry.approved.2023-01-05.camel.json');
    expect(envelope).toMatchObject({
      id: 'evt_o9byQRbjygu76Jbtea9wuJ1boP7a',
      referenceId: 'abc-123',
      accountId: 'act_n2uq9eKMboaCQzu9ALWYcVdN',
    });
    expect(event.object.attributes['referenceId']).toBe('abc-123');
    // Kept as sent: the old versions' inflected field names are what such a webhook delivers.
    expect(Object.keys(event.object.attributes['fields'] as object)).toContain('addressStreet1');
    expect(event.included.map((object) => object.type)).toEqual(['inquiry-session', 'inquiry-template']);
    expect(event.context).toBeUndefined();
  });

  it('2025-10-27, camel inflection: fields as configured on the template, no included', () => {
    const { envelope, event } = both('inquiry.approved.2025-10-27.camel.json');
    expect(envelope).toMatchObject({ referenceId: 'abc-123', inquiryId: 'inq_zEx4jL84ShbUyuwX6AzPSqt6' });
    expect(envelope.accountId).toBe('act_n2uq9eKMboaCQzu9ALWYcVdN');
    expect(event.object.attributes['referenceId']).toBe('abc-123');
    expect(Object.keys(event.object.attributes['fields'] as object)).toContain('address-street-1');
    expect(event.included).toEqual([]);
  });

  it('2026-01-12: the event’s context attribute is read (camelCased), included may be empty', () => {
    const { envelope, event } = both('account.added-relation.2026-01-12.json');
    expect(envelope).toMatchObject({
      name: 'account.added-relation',
      objectType: 'account',
      accountId: 'act_Ze7nKr2XbWq5Lm9Ts3Hd6Pg1',
      referenceId: 'user-2026-0042',
    });
    expect(event.context).toEqual({
      relationSchemaKey: 'household-member',
      relatedAccountId: 'act_Jd4sLp9QwXn2Bt6Ry8Mk3Vc7',
    });
    expect(event.included).toEqual([]);
    expect(Object.keys(event.object.attributes['fields'] as object)).toEqual(['name_first', 'name_last']);
  });

  it('a context that is not an object is ignored, not fatal', () => {
    const body = new TextDecoder()
      .decode(fixtureBytes('account.added-relation.2026-01-12.json'))
      .replace(/"context": \{[^}]*\}/, '"context": "odd"');
    const parsed = parseEvent(body);
    expect(parsed.ok && parsed.event.context).toBeUndefined();
  });
});
