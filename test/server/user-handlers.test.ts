import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import type { KycFacts } from '../../packages/persona-webhooks/src/kyc/facts.js';
import {
  importHandlersModule,
  loadKycPolicy,
} from '../../packages/server/src/server/config/handlers-module.js';
import { loadUserHandlers } from '../../packages/server/src/server/config/user-handlers.js';
import { REPO_ROOT } from '../helpers/service-process.js';

const fixture = (name: string) => join(REPO_ROOT, 'test/fixtures/handlers', name);
const facts: KycFacts = {
  referenceId: 'u1',
  inquiries: [],
  transactions: [],
  cases: [],
  reports: [],
  accounts: [],
};

describe('PERSONA_WEBHOOKS_HANDLERS', () => {
  it('loads a JavaScript module and lets it register handlers', async () => {
    const dispatcher = createDispatcher();
    await loadUserHandlers(fixture('append-log.mjs'), dispatcher);
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(true);
  });

  it.each(['handlers.ts', 'handlers.mts', 'handlers.cts'])(
    'refuses %s with a message that says to compile it, before trying to load it',
    async (file) => {
      await expect(
        loadUserHandlers(join(REPO_ROOT, 'no-such-dir', file), createDispatcher()),
      ).rejects.toThrow(/is TypeScript, which Node\.js cannot load by itself\. Compile it to \.js or \.mjs/);
    },
  );
});

describe('kycPolicy from the handlers module', () => {
  it('is null when the module exports none, so the store keeps the default policy', async () => {
    expect(await importHandlersModule(fixture('append-log.mjs'))).toMatchObject({ kycPolicy: null });
    expect(await loadKycPolicy(fixture('append-log.mjs'))).toBeUndefined();
  });

  it('is taken, and checked, from the module', async () => {
    const policy = await loadKycPolicy(fixture('decline-everyone.mjs'));
    expect(policy?.(facts)).toMatchObject({
      decision: 'declined',
      reasons: [{ code: 'house_rule', fact: 'inquiry', message: 'This service declines everyone.' }],
    });
  });

  it('may be all a module exports', async () => {
    const loaded = await importHandlersModule(fixture('policy-only.mjs'));
    expect(loaded.register).toBeNull();
    // The reason's missing fields are filled in, not refused.
    expect((await loadKycPolicy(fixture('policy-only.mjs')))?.(facts).reasons).toEqual([
      {
        code: 'manual_only',
        fact: 'inquiry',
        id: '',
        status: null,
        eventId: '',
        atMs: 0,
        message: 'Every user is reviewed by hand.',
      },
    ]);
    // Registering handlers from it registers none, and does not fail.
    const dispatcher = createDispatcher();
    await loadUserHandlers(fixture('policy-only.mjs'), dispatcher);
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(false);
  });

  it('refuses a kycPolicy that is not a function, as a ConfigError at start-up', async () => {
    const loading = importHandlersModule(fixture('policy-not-a-function.mjs'));
    await expect(loading).rejects.toMatchObject({ name: 'ConfigError' });
    await expect(loading).rejects.toThrow(
      /policy-not-a-function\.mjs exports kycPolicy as a string; it must be a function \(facts\) => \(\{ decision, reasons \}\)/,
    );
  });

  it('refuses a module with neither handlers nor a policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-handlers-'));
    try {
      const empty = join(dir, 'empty.mjs');
      writeFileSync(empty, 'export const unrelated = 1;\n');
      await expect(importHandlersModule(empty)).rejects.toThrow(
        /must export a default function \(webhooks\) => \{ webhooks\.on\(\.\.\.\) \}, a kycPolicy function, or both/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
