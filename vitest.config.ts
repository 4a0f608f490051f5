import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Tests run the library from source: each `persona-webhooks[/…]` import maps to the file that
 * tsconfig.json's `paths` name, the one list of entry points outside package.json.
 */
const { compilerOptions } = JSON.parse(readFileSync(new URL('./tsconfig.json', import.meta.url), 'utf8')) as {
  compilerOptions: { paths: Record<string, [string]> };
};
const alias = Object.entries(compilerOptions.paths)
  // Longest first, so `persona-webhooks/web` is not taken for `persona-webhooks` + `/web`.
  .sort(([a], [b]) => b.length - a.length)
  .map(([name, [path]]) => ({
    find: new RegExp(`^${name.replace('/', '\\/')}$`),
    replacement: fileURLToPath(new URL(path, import.meta.url)),
  }));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    // The packed packages have their own run: vitest.package.config.ts (npm run test:package).
    exclude: ['test/package/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
