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

describe('the persona-webhooks/web entry and the Web Crypto signatures stay portable', () => {
  it.each(['web.ts', 'signature/web-crypto.ts', 'signature/parse-header.ts'])(
    '%s imports nothing from node: or bare packages, directly or indirectly',
    (file) => {
      const graph = moduleGraph(new URL(`../../packages/persona-webhooks/src/${file}`, import.meta.url));
      expect(graph.size).toBeGreaterThan(file === 'signature/parse-header.ts' ? 0 : 3);
      for (const [href, source] of graph) {
        const specifiers = [...source.matchAll(IMPORT)].map((match) => match[1] ?? match[2] ?? '');
        expect(
          specifiers.filter((specifier) => !specifier.startsWith('.')),
          href,
        ).toEqual([]);
        // Doc comments may show Node usage (`process.env…` in an example); only code counts.
        const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        expect(code, href).not.toMatch(/\brequire\(|\bBuffer\.|\bprocess\./);
      }
    },
  );
});
