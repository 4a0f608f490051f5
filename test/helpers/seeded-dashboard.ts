/**
 * The world of a dashboard test whose data is written before the service starts: a SQLite file seeded
 * through the store (so what the pages show does not depend on the service's own workers), the real
 * service over it (dist/), and Chromium; pages are signed in through the form, each in a fresh context.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { launchBrowser, openPage, signIn } from './browser.js';
import { ADMIN_TOKEN, type ServiceProcess, startServiceProcess } from './service-process.js';

export interface SeededDashboard<T> {
  service: ServiceProcess;
  browser: Browser;
  /** What `seed` returned. */
  seeded: T;
  /**
   * A signed-in page in a fresh context (no cookies; en-US in Tokyo, so every time must still read
   * UTC), with the console problems it records; `closePages` closes it.
   */
  signedInPage(viewport?: { width: number; height: number }): Promise<{ page: Page; problems: string[] }>;
  /** Closes the contexts `signedInPage` opened (after each test). */
  closePages(): Promise<void>;
  /** Closes the browser, stops the service and removes the file (after all tests). */
  stop(): Promise<void>;
}

/** Seeds a new SQLite file with `seed` (on a migrated store, closed after), then starts the service and Chromium. */
export async function startSeededDashboard<T>(options: {
  secret: string;
  seed: (store: Store) => Promise<T>;
}): Promise<SeededDashboard<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-browser-seeded-'));
  const file = join(dir, 'db.sqlite');
  const store = createSqliteFileStore(file);
  let seeded: T;
  try {
    await store.migrate();
    seeded = await options.seed(store);
  } finally {
    await store.close();
  }
  const [service, browser] = await Promise.all([
    startServiceProcess({ PERSONA_WEBHOOK_SECRET: options.secret, DATABASE_URL: `sqlite:${file}` }),
    launchBrowser(),
  ]);
  const contexts: BrowserContext[] = [];
  return {
    service,
    browser,
    seeded,
    async signedInPage(viewport = { width: 1280, height: 900 }) {
      const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'Asia/Tokyo' });
      contexts.push(context);
      const opened = await openPage(context);
      await signIn(opened.page, service.url, ADMIN_TOKEN);
      return opened;
    },
    async closePages() {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    },
    async stop() {
      await browser.close();
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
