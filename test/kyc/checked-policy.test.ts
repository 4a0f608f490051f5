/**
 * The guard both stores put around a custom KYC policy: whatever it throws or returns that the store
 * cannot write decides `needs_review` with a `policy_error` reason, instead of failing the event on
 * every retry. (Moved from the service, which names its handlers module as the source.)
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkedKycPolicy } from '../../packages/persona-webhooks/src/kyc/checked-policy.js';
import type { KycPolicy } from '../../packages/persona-webhooks/src/kyc/decision.js';
import type { KycFacts } from '../../packages/persona-webhooks/src/kyc/facts.js';
import { createSqliteStore } from '../../packages/persona-webhooks/src/store/sqlite/sqlite-store.js';
import type { Store } from '../../packages/persona-webhooks/src/store/store.js';
import { openTestPostgresStore } from '../helpers/postgres.js';
import { applyUpdates, inquiryUpdate, T0 } from '../store/store-fixtures.js';

const HANDLERS = { source: 'PERSONA_WEBHOOKS_HANDLERS' };
const facts: KycFacts = {
  referenceId: 'u1',
  inquiries: [],
  transactions: [],
  cases: [],
  reports: [],
  accounts: [],
};

describe('checkedKycPolicy', () => {
  const returning = (value: unknown) => checkedKycPolicy((() => value) as unknown as KycPolicy, HANDLERS);
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
    }, HANDLERS);
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

describe('checkedKycPolicy without a source', () => {
  it('names no source, and wraps a policy once', () => {
    const throwing = checkedKycPolicy(() => {
      throw new Error('boom');
    });
    expect(throwing(facts).reasons[0]!.message).toBe(
      'The kycPolicy failed, so a person must decide: Error: boom',
    );
    expect(checkedKycPolicy(throwing)).toBe(throwing);
  });
});

describe('a library store with a throwing policy', () => {
  const throwing: KycPolicy = () => {
    throw new Error('policy bug');
  };
  const stores: [string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>][] = [
    [
      'sqlite',
      async () => {
        const store = createSqliteStore({ database: () => new Database(':memory:'), kycPolicy: throwing });
        await store.migrate();
        return { store, cleanup: () => store.close() };
      },
    ],
    ['postgres', () => openTestPostgresStore({ kycPolicy: throwing })],
  ];
  it.each(stores)('%s completes the event and records needs_review with the error', async (_name, open) => {
    const { store, cleanup } = await open();
    try {
      const update = inquiryUpdate({ eventId: 'evt_1', referenceId: 'u1', status: 'approved' });
      expect(await applyUpdates(store, [update], T0)).toBe(true);
      expect(await store.getKyc('u1')).toMatchObject({
        decision: 'needs_review',
        reasons: [
          {
            code: 'policy_error',
            message: 'The kycPolicy failed, so a person must decide: Error: policy bug',
          },
        ],
      });
    } finally {
      await cleanup();
    }
  });
});
