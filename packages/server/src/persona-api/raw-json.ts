/**
 * Cuts the raw text of each element of a top-level array (`data` of a list answer) out of a JSON
 * document, byte for byte. An event recovered through the API is stored as Persona wrote it, like a
 * webhook body: re-serialising parsed JSON would change floats (`40.172463903000` → `40.172463903`) and
 * large integers, which Persona itself warns about.
 */

/**
 * The raw JSON text of every element of the array under `key` in the top-level object of `text`.
 * Throws `SyntaxError` when `text` is not JSON; returns null when there is no such array.
 *
 * @example
 * rawArrayElements('{"data":[{"a":1.50},2],"links":{}}', 'data'); // ['{"a":1.50}', '2']
 */
export function rawArrayElements(text: string, key: string): string[] | null {
  // Validates the whole document first, so the scanner below may assume well-formed JSON.
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  if (!Array.isArray((parsed as Record<string, unknown>)[key])) return null;

  let i = skipSpace(text, 0);
  i++; // the top-level `{`
  for (;;) {
    i = skipSpace(text, i);
    if (text[i] === '}') return null;
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd) + 1; // the `:`
    i = skipSpace(text, i);
    const valueEnd = skipValue(text, i);
    // JSON.parse keeps the last of duplicate keys; so do we, by not stopping at the first match.
    if (name === key && text[i] === '[' && lastKeyFrom(text, valueEnd, key)) return elements(text, i);
    i = skipSpace(text, valueEnd);
    if (text[i] === ',') i++;
  }
}

/** True when no later top-level key equals `key` (duplicate keys: the last one wins, as in JSON.parse). */
function lastKeyFrom(text: string, from: number, key: string): boolean {
  let i = skipSpace(text, from);
  while (text[i] === ',') {
    i = skipSpace(text, i + 1);
    const keyEnd = skipString(text, i);
    if ((JSON.parse(text.slice(i, keyEnd)) as string) === key) return false;
    i = skipSpace(text, skipSpace(text, keyEnd) + 1);
    i = skipSpace(text, skipValue(text, i));
  }
  return true;
}

function elements(text: string, open: number): string[] {
  const out: string[] = [];
  let i = skipSpace(text, open + 1);
  if (text[i] === ']') return out;
  for (;;) {
    const end = skipValue(text, i);
    out.push(text.slice(i, end));
    i = skipSpace(text, end);
    if (text[i] === ']') return out;
    i = skipSpace(text, i + 1); // the `,`
  }
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) {
    i++;
  }
  return i;
}

/** Index just past the string starting at `i` (which is a `"`). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** Index just past the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = skipString(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    throw new SyntaxError('unterminated structure');
  }
  // A number, true, false or null: runs until a delimiter.
  let j = i;
  while (j < text.length && !',}] \n\r\t'.includes(text[j]!)) j++;
  return j;
}
