import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The package run: packs both workspaces, installs the tarballs into fresh projects with install
 * scripts on (test/package/global-setup.ts, ~2 minutes: better-sqlite3 builds as it does for users),
 * then tests them — and runs the PostgreSQL outage e2e test against the installed command. One file at
 * a time: the installs and the service processes would otherwise compete for the two cores.
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/package/**/*.test.ts', 'test/e2e/postgres-scale-out.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/package/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
