import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import type { KycPolicy } from '../../packages/persona-webhooks/src/kyc/decision.js';
import type { KycFacts } from '../../packages/persona-webhooks/src/kyc/facts.js';
import { checkedKycPolicy } from '../../packages/server/src/server/checked-kyc-policy.js';
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

describe('checkedKycPolicy', () => {
  const returning = (value: unknown) => checkedKycPolicy((() => value) as unknown as KycPolicy);
  const withInquiry: KycFacts = {
    ...facts,
    inquiries: [
      {
        inquiryId: 'inq_1',
        accountId: null,
        status: 'approved',
        statusAtMs: 5,
        statusEventId: 'evt_1',
        inquiryCreatedAtMs: 1,
        redactedAtMs: null,
      },
    ],
  };

  it.each([
    ['no object', null, /returned null, not \{ decision, reasons \}/],
    [
      'an unknown decision',
      { decision: 'blocked', reasons: [] },
      /returned decision "blocked"; it must be one of approved, declined, needs_review, pending/,
    ],
    ['reasons that are no array', { decision: 'approved', reasons: 'fine' }, /returned reasons as a string/],
    [
      'a reason without a code',
      { decision: 'approved', reasons: [{ fact: 'inquiry', message: 'm' }] },
      /reason 0 has no code/,
    ],
    [
      'a reason of no known fact',
      { decision: 'approved', reasons: [{ code: 'c', fact: 'user', message: 'm' }] },
      /reason 0 has fact "user"/,
    ],
  ])(
    'decides needs_review for %s, saying what is wrong, instead of throwing in the store',
    (_label, value, message) => {
      const decided = returning(value)(withInquiry);
      expect(decided).toMatchObject({
        decision: 'needs_review',
        reasons: [{ code: 'policy_error', fact: 'inquiry', id: 'inq_1', status: 'approved', eventId: '' }],
      });
      expect(decided.reasons[0]!.message).toMatch(
        /^The kycPolicy of PERSONA_WEBHOOKS_HANDLERS failed, so a person must decide: KycPolicyResultError: kycPolicy \(PERSONA_WEBHOOKS_HANDLERS\) /,
      );
      expect(decided.reasons[0]!.message).toMatch(message);
    },
  );

  it('decides needs_review when the policy throws, quoting the error', () => {
    const throwing = checkedKycPolicy(() => {
      throw new RangeError('no rule for this');
    });
    expect(throwing(facts)).toEqual({
      decision: 'needs_review',
      reasons: [
        {
          code: 'policy_error',
          fact: 'inquiry',
          id: '',
          status: null,
          eventId: '',
          atMs: 0,
          message:
            'The kycPolicy of PERSONA_WEBHOOKS_HANDLERS failed, so a person must decide: RangeError: no rule for this',
        },
      ],
    });
  });

  it('passes a well-formed decision through', () => {
    const decision = {
      decision: 'approved',
      reasons: [
        {
          code: 'c',
          fact: 'case',
          id: 'case_1',
          status: 'resolved',
          eventId: 'evt_1',
          atMs: 5,
          message: 'm',
        },
      ],
    };
    expect(returning(decision)(facts)).toEqual(decision);
  });
});
