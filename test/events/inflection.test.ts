import { describe, expect, it } from 'vitest';
import {
  camelizeKey,
  camelizeKeys,
  KeyDepthError,
} from '../../packages/persona-webhooks/src/events/inflection.js';

describe('camelizeKey', () => {
  it.each([
    ['created-at', 'createdAt'],
    ['created_at', 'createdAt'],
    ['createdAt', 'createdAt'],
    ['reference-id', 'referenceId'],
    ['reference_id', 'referenceId'],
    ['address-street-1', 'addressStreet1'],
    ['address_street_1', 'addressStreet1'],
    ['addressStreet1', 'addressStreet1'],
    ['api-version-less-than-minimum-count', 'apiVersionLessThanMinimumCount'],
    ['api_version_less_than_minimum_count', 'apiVersionLessThanMinimumCount'],
    ['os-full-version', 'osFullVersion'],
    ['is-vpn', 'isVpn'],
    ['status', 'status'],
    ['_private', '_private'],
    ['trailing-', 'trailing-'],
    ['__proto__', '__proto__'],
    ['', ''],
  ])('%s → %s', (key, expected) => {
    expect(camelizeKey(key)).toBe(expected);
  });
});

describe('camelizeKeys', () => {
  it('rewrites keys at every depth, inside arrays too, and never values', () => {
    expect(
      camelizeKeys({
        'outer-key': [{ inner_key: 'kebab-value', list: ['snake_value'] }],
        n: 1.5,
        b: false,
        z: null,
      }),
    ).toEqual({ outerKey: [{ innerKey: 'kebab-value', list: ['snake_value'] }], n: 1.5, b: false, z: null });
  });

  it('keeps any fields subtree untouched, at any depth', () => {
    const fields = { 'name-first': { type: 'string', value: 'Jane' }, name_last: { 'nested-key': 1 } };
    const result = camelizeKeys({ 'included-things': [{ attributes: { fields } }] });
    expect(result).toEqual({ includedThings: [{ attributes: { fields } }] });
  });

  it('returns a copy and leaves the input alone', () => {
    const input = { 'a-b': { 'c-d': 1 } };
    camelizeKeys(input);
    expect(input).toEqual({ 'a-b': { 'c-d': 1 } });
  });

  it('drops keys that could reach a prototype', () => {
    const input = JSON.parse(
      '{"__proto__":{"x":1},"constructor":{"prototype":{"y":2}},"prototype":3,"ok":true}',
    );
    const result = camelizeKeys(input) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['ok']);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('drops prototype keys inside fields too, at any depth, and keeps the other field names as sent', () => {
    const input = JSON.parse(
      '{"fields":{"__proto__":{"isAdmin":true},"name-first":{"value":"Jane","__proto__":{"x":1}},' +
        '"constructor":{"prototype":{"y":2}},"list":[{"__proto__":{"z":3},"a-b":1}]}}',
    );
    const fields = (camelizeKeys(input) as { fields: Record<string, unknown> }).fields;
    expect(Object.keys(fields)).toEqual(['name-first', 'list']);
    expect(fields['name-first']).toEqual({ value: 'Jane' });
    expect(fields['list']).toEqual([{ 'a-b': 1 }]);
    // What a handler would do with them: no prototype can come along.
    const merged = Object.assign({}, fields) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(merged['isAdmin']).toBeUndefined();
    expect(Object.getPrototypeOf(Object.assign({}, fields['name-first']))).toBe(Object.prototype);
  });

  it('throws KeyDepthError past the depth limit instead of overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(() => camelizeKeys(deep)).toThrow(KeyDepthError);
    expect(() => camelizeKeys({ a: { b: { c: 1 } } }, 3)).not.toThrow();
    expect(() => camelizeKeys({ a: { b: { c: {} } } }, 3)).toThrow(KeyDepthError);
  });
});

describe('camelizeKeys past its remembered keys', () => {
  it('still camelizes and still drops unsafe keys once thousands of distinct keys were seen', () => {
    // An attacker's payload of distinct keys fills the bounded memory of keys; later payloads must
    // come out exactly as before it.
    const flood: Record<string, number> = {};
    for (let i = 0; i < 5_000; i++) flood[`flood-key-${i}`] = i;
    const copied = camelizeKeys(flood) as Record<string, number>;
    expect(copied['floodKey4999']).toBe(4_999);
    expect(Object.keys(copied)).toHaveLength(5_000);

    const parsed = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": 1, "prototype": 2, "name-first": "Jane", "late-new-key": 3}',
    );
    const out = camelizeKeys(parsed) as Record<string, unknown>;
    expect(out).toEqual({ nameFirst: 'Jane', lateNewKey: 3 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
