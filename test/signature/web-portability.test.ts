import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const IMPORT = /\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)/g;

/** Every module `entry` loads, following relative imports (`.js` in source maps to `.ts`). */
function moduleGraph(entry: URL): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (url: URL) => {
    if (seen.has(url.href)) return;
    const source = readFileSync(url, 'utf8');
    seen.set(url.href, source);
    for (const match of source.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(new URL(specifier.replace(/\.js$/, '.ts'), url));
    }
  };
  visit(entry);
  return seen;
}

describe('Web Crypto build stays portable', () => {
  it.each(['web.ts', 'parse-header.ts'])(
    '%s imports nothing from node: or bare packages, directly or indirectly',
    (file) => {
      const graph = moduleGraph(new URL(`../../src/signature/${file}`, import.meta.url));
      expect(graph.size).toBeGreaterThan(file === 'web.ts' ? 3 : 0);
      for (const [href, source] of graph) {
        const specifiers = [...source.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? '');
        expect(
          specifiers.filter((specifier) => !specifier.startsWith('.')),
          href,
        ).toEqual([]);
        expect(source, href).not.toMatch(/\brequire\(|\bBuffer\.|\bprocess\./);
      }
    },
  );
});
