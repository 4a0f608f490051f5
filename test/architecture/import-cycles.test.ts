/**
 * No import cycles, in either package: a cycle means two files that cannot be read (or changed) one
 * without the other, and with ESM it can leave a binding undefined at load time. Type-only imports
 * count too: they tie the files together for a reader all the same. madge resolves each `./x.js`
 * import to its `./x.ts` source through the package's tsconfig.
 */
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { describe, expect, it } from 'vitest';

const packageDir = (name: string) => fileURLToPath(new URL(`../../packages/${name}/`, import.meta.url));

async function importGraph(name: string) {
  const dir = packageDir(name);
  return madge(`${dir}src`, {
    fileExtensions: ['ts'],
    tsConfig: `${dir}tsconfig.json`,
    detectiveOptions: { ts: { skipTypeImports: false } },
  });
}

describe('import cycles', () => {
  // A file and one of its imports, so a resolver that silently dropped `.js` imports (and so would
  // find no cycle in a graph without edges) fails the test.
  const knownEdges = {
    'persona-webhooks': ['events/parse-event.ts', 'events/parse-envelope.ts'],
    server: ['open-store.ts', 'secrets-at-rest/sealed-store.ts'],
  } as const;
  for (const [name, [from, to]] of Object.entries(knownEdges)) {
    it(`${name} has none`, async () => {
      const graph = await importGraph(name);
      expect(Object.keys(graph.obj()).length).toBeGreaterThan(100);
      expect(graph.obj()[from]).toContain(to);
      expect(graph.circular()).toEqual([]);
    }, 60_000);
  }
});
