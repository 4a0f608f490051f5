import { describe, expect, it } from 'vitest';
import { createKycPolicy, defaultKycPolicy } from '../../packages/persona-webhooks/src/kyc/default-policy.js';
import type {
  CaseFact,
  InquiryFact,
  KycFacts,
  ReportFact,
} from '../../packages/persona-webhooks/src/kyc/facts.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const min = (n: number) => T0 + n * 60_000;

function inquiry(id: string, status: string | null, atMin: number, createdMin = atMin): InquiryFact {
  return {
    inquiryId: id,
    accountId: 'act_1',
    status,
    statusAtMs: min(atMin),
    statusEventId: `evt_${id}_${atMin}`,
    inquiryCreatedAtMs: min(createdMin),
    redactedAtMs: null,
  };
}

function kase(id: string, status: string, atMin: number, resolution: string | null = null): CaseFact {
  return {
    caseId: id,
    referenceId: null,
    accountId: 'act_1',
    inquiryId: null,
    status,
    resolution,
    statusAtMs: min(atMin),
    statusEventId: `evt_${id}_${atMin}`,
    resolvedAtMs: status === 'resolved' ? min(atMin) : null,
    redactedAtMs: null,
  };
}

function report(id: string, type: string, hasMatch: boolean, atMin: number): ReportFact {
  return {
    reportId: id,
    reportType: type,
    referenceId: null,
    accountId: 'act_1',
    inquiryId: null,
    status: 'ready',
    hasMatch,
    isContinuous: true,
    statusAtMs: min(atMin),
    statusEventId: `evt_${id}_${atMin}`,
    matchAtMs: hasMatch ? min(atMin) : null,
    matchEventId: hasMatch ? `evt_${id}_${atMin}` : null,
    clearedAtMs: hasMatch ? null : min(atMin),
    clearedEventId: hasMatch ? null : `evt_${id}_${atMin}`,
  };
}

function facts(parts: Partial<KycFacts>): KycFacts {
  return {
    referenceId: 'user-1',
    inquiries: [],
    transactions: [],
    cases: [],
    reports: [],
    accounts: [],
    ...parts,
  };
}

describe('defaultKycPolicy', () => {
  it('is pending with no inquiry, and says so', () => {
    const result = defaultKycPolicy(facts({}));
    expect(result.decision).toBe('pending');
    expect(result.reasons[0]?.code).toBe('no_inquiry');
  });

  it.each([
    ['created', 'pending'],
    ['pending', 'pending'],
    ['completed', 'pending'],
    ['failed', 'pending'],
    ['expired', 'pending'],
    ['needs_review', 'needs_review'],
    ['approved', 'approved'],
    ['declined', 'declined'],
  ])('an only inquiry that is %s gives %s', (status, decision) => {
    const result = defaultKycPolicy(facts({ inquiries: [inquiry('inq_a', status, 1)] }));
    expect(result.decision).toBe(decision);
    expect(result.reasons[0]).toMatchObject({ fact: 'inquiry', id: 'inq_a', eventId: 'evt_inq_a_1' });
  });

  it('keeps an approval while a newer inquiry (re-verification) is in progress, with the reason', () => {
    const result = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_old', 'approved', 1), inquiry('inq_new', 'pending', 10)] }),
    );
    expect(result.decision).toBe('approved');
    expect(result.reasons.map((r) => r.code)).toEqual(['inquiry_approved', 'reverification_in_progress']);
    expect(result.reasons[1]).toMatchObject({ id: 'inq_new', status: 'pending' });
  });

  it('keeps an approval when the re-verification fails or expires', () => {
    for (const status of ['failed', 'expired']) {
      const result = defaultKycPolicy(
        facts({ inquiries: [inquiry('inq_old', 'approved', 1), inquiry('inq_new', status, 10)] }),
      );
      expect(result.decision).toBe('approved');
      expect(result.reasons[1]?.code).toBe('reverification_abandoned');
    }
  });

  it('a newer decided inquiry replaces the earlier decision', () => {
    const result = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_old', 'approved', 1), inquiry('inq_new', 'declined', 10)] }),
    );
    expect(result.decision).toBe('declined');
    expect(result.reasons[0]).toMatchObject({ code: 'inquiry_declined', id: 'inq_new' });
  });

  it('orders inquiries by their own created-at, not by when their status was last set', () => {
    // The older inquiry was approved late (a manual review); the newer one is still in progress.
    const result = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_old', 'approved', 30, 1), inquiry('inq_new', 'pending', 20, 10)] }),
    );
    expect(result.decision).toBe('approved');
    expect(result.reasons.map((r) => r.id)).toEqual(['inq_old', 'inq_new']);
  });

  it('an open case makes an approved user needs_review, naming the case', () => {
    const result = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_a', 'approved', 1)], cases: [kase('case_1', 'open', 5)] }),
    );
    expect(result.decision).toBe('needs_review');
    expect(result.reasons[0]).toMatchObject({
      code: 'case_open',
      fact: 'case',
      id: 'case_1',
      eventId: 'evt_case_1_5',
    });
  });

  it('an open case does not lift a decline', () => {
    const result = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_a', 'declined', 1)], cases: [kase('case_1', 'open', 5)] }),
    );
    expect(result.decision).toBe('declined');
    expect(result.reasons.map((r) => r.code)).toEqual(['inquiry_declined', 'case_open']);
  });

  it('a case resolved after the inquiry decision decides by its resolution', () => {
    const approved = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'declined', 1)],
        cases: [kase('case_1', 'resolved', 5, 'approved')],
      }),
    );
    expect(approved.decision).toBe('approved');
    expect(approved.reasons[0]).toMatchObject({ code: 'case_approved', id: 'case_1' });
    const declined = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'approved', 1)],
        cases: [kase('case_1', 'resolved', 5, 'declined')],
      }),
    );
    expect(declined.decision).toBe('declined');
  });

  it("a reviewer's case decline is not undone by a later automated approval, unless the policy says so", () => {
    const parts = {
      inquiries: [inquiry('inq_a', 'approved', 10)],
      cases: [kase('case_1', 'resolved', 5, 'declined')],
    };
    const result = defaultKycPolicy(facts(parts));
    expect(result.decision).toBe('declined');
    expect(result.reasons[0]).toMatchObject({
      code: 'case_declined',
      id: 'case_1',
      setting: 'laterApprovalOverridesCaseDecline',
    });
    const lenient = createKycPolicy({ laterApprovalOverridesCaseDecline: true })(facts(parts));
    expect(lenient.decision).toBe('approved');
  });

  it('a case approved before a newer automated decline does not override it', () => {
    const result = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'declined', 10)],
        cases: [kase('case_1', 'resolved', 5, 'approved')],
      }),
    );
    expect(result.decision).toBe('declined');
  });

  it('a resolution the default policy cannot read needs review', () => {
    const result = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'approved', 1)],
        cases: [kase('case_1', 'resolved', 5, 'escalate_to_legal')],
      }),
    );
    expect(result.decision).toBe('needs_review');
    expect(result.reasons[0]).toMatchObject({ code: 'case_resolution_unmapped', setting: 'caseResolutions' });
    expect(result.reasons[0]?.message).toContain('escalate_to_legal');
  });

  it.each([
    ['watchlist', 'watchlist_match'],
    ['politically-exposed-person', 'politically_exposed_person_match'],
    ['adverse-media', 'adverse_media_match'],
  ])('a %s match after the approval makes the user needs_review, naming the report type', (type, code) => {
    const result = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_a', 'approved', 1)], reports: [report('rep_1', type, true, 5)] }),
    );
    expect(result.decision).toBe('needs_review');
    expect(result.reasons[0]).toMatchObject({ code, fact: 'report', id: 'rep_1', eventId: 'evt_rep_1_5' });
    expect(result.reasons[0]?.message).toContain(type);
  });

  it('an approval newer than a match does not clear it, unless the policy says so', () => {
    const parts = {
      inquiries: [inquiry('inq_a', 'approved', 10)],
      reports: [report('rep_1', 'watchlist', true, 5)],
    };
    expect(defaultKycPolicy(facts(parts)).decision).toBe('needs_review');
    expect(createKycPolicy({ laterApprovalClearsMatches: true })(facts(parts)).decision).toBe('approved');
  });

  it('a later run of the same report without a match clears it (the fact holds the newest run)', () => {
    const result = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'approved', 1)],
        reports: [report('rep_1', 'watchlist', false, 9)],
      }),
    );
    expect(result.decision).toBe('approved');
  });

  it('a case resolved after the match clears it and decides', () => {
    const result = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'approved', 1)],
        reports: [report('rep_1', 'watchlist', true, 5)],
        cases: [kase('case_1', 'resolved', 8, 'approved')],
      }),
    );
    expect(result.decision).toBe('approved');
    expect(result.reasons[0]).toMatchObject({ code: 'case_approved', id: 'case_1' });
  });

  it('a match after the case that cleared the last one needs review again', () => {
    const result = defaultKycPolicy(
      facts({
        inquiries: [inquiry('inq_a', 'approved', 1)],
        reports: [report('rep_1', 'watchlist', true, 12)],
        cases: [kase('case_1', 'resolved', 8, 'approved')],
      }),
    );
    expect(result.decision).toBe('needs_review');
    expect(result.reasons[0]?.code).toBe('watchlist_match');
  });

  it.each(['screening', 'custom-list', 'community-safety', 'business-media-coverage', 'crypto_address'])(
    'a match on any report type (%s) holds the user, naming the setting that makes it informational',
    (type) => {
      const parts = {
        inquiries: [inquiry('inq_a', 'approved', 1)],
        reports: [report('rep_1', type, true, 5)],
      };
      const result = defaultKycPolicy(facts(parts));
      expect(result.decision).toBe('needs_review');
      expect(result.reasons[0]).toMatchObject({ fact: 'report', setting: 'informationalReportTypes' });
      expect(result.reasons[0]?.message).toContain(`"${type}"`);
      const informational = createKycPolicy({ informationalReportTypes: [`report/${type}`] });
      expect(informational(facts(parts)).decision).toBe('approved');
    },
  );

  it('a blocking account status needs review; an ordinary one changes nothing', () => {
    const account = (status: string) => ({
      accountId: 'act_1',
      referenceId: 'user-1',
      status,
      statusAtMs: min(5),
      statusEventId: 'evt_acct',
      redactedAtMs: null,
    });
    const blocked = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_a', 'approved', 1)], accounts: [account('suspended')] }),
    );
    expect(blocked.decision).toBe('needs_review');
    expect(blocked.reasons[0]).toMatchObject({ code: 'account_status', id: 'act_1', status: 'suspended' });
    const fine = defaultKycPolicy(
      facts({ inquiries: [inquiry('inq_a', 'approved', 1)], accounts: [account('default')] }),
    );
    expect(fine.decision).toBe('approved');
  });

  it('gives the same decision and reasons whatever order the facts are listed in', () => {
    const all = facts({
      inquiries: [inquiry('inq_a', 'approved', 1), inquiry('inq_b', 'pending', 20)],
      cases: [kase('case_1', 'open', 7), kase('case_2', 'open', 7)],
      reports: [report('rep_1', 'watchlist', true, 5), report('rep_2', 'adverse-media', true, 5)],
    });
    const reversed = {
      ...all,
      inquiries: [...all.inquiries].reverse(),
      cases: [...all.cases].reverse(),
      reports: [...all.reports].reverse(),
    };
    expect(defaultKycPolicy(reversed)).toEqual(defaultKycPolicy(all));
  });
});
