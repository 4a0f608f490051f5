/** Cutting list items out of an API answer byte for byte, so recovered events keep Persona's exact text. */
import { describe, expect, it } from 'vitest';
import { rawArrayElements } from '../../packages/server/src/persona-api/raw-json.js';

describe('rawArrayElements', () => {
  it('returns each element exactly as written: float digits, spacing and escapes kept', () => {
    const text =
      '{ "links": {"next": "/x?a=[1]"}, "data" : [ {"a": 40.172463903000, "s": "}\\"]," } ,\n' +
      '[1, 2] , "x", 12345678901234567890, null ] }';
    expect(rawArrayElements(text, 'data')).toEqual([
      '{"a": 40.172463903000, "s": "}\\"]," }',
      '[1, 2]',
      '"x"',
      '12345678901234567890',
      'null',
    ]);
  });

  it('handles an empty list, a missing key and a key that is not a list', () => {
    expect(rawArrayElements('{"data":[]}', 'data')).toEqual([]);
    expect(rawArrayElements('{"other":[1]}', 'data')).toBeNull();
    expect(rawArrayElements('{"data":{"a":1}}', 'data')).toBeNull();
    expect(rawArrayElements('[1,2]', 'data')).toBeNull();
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    expect(rawArrayElements('{"data":[1],"data":[2,3]}', 'data')).toEqual(['2', '3']);
    expect(rawArrayElements('{"data":[1],"data":{}}', 'data')).toBeNull();
  });

  it('ignores a nested key of the same name', () => {
    expect(rawArrayElements('{"meta":{"data":[9]},"data":[1]}', 'data')).toEqual(['1']);
  });

  it('throws on text that is not JSON', () => {
    expect(() => rawArrayElements('{"data":[1,}', 'data')).toThrow(SyntaxError);
  });
});
