/**
 * The policy as data: a settings object is checked key by key (a wrong key or value is refused naming
 * it), its fingerprint changes exactly when what it decides changes, and the events it needs follow
 * from it.
 */
import { describe, expect, it } from 'vitest';
import { createKycPolicy, defaultKycPolicy } from '../../packages/persona-webhooks/src/kyc/default-policy.js';
import {
  kycPolicyEvents,
  missingPolicyEvents,
} from '../../packages/persona-webhooks/src/kyc/policy-events.js';
import { policyFingerprint } from '../../packages/persona-webhooks/src/kyc/policy-fingerprint.js';
import {
  KycPolicySettingsError,
  parseKycPolicySettings,
} from '../../packages/persona-webhooks/src/kyc/policy-settings.js';

function refusal(value: unknown): KycPolicySettingsError {
  try {
    parseKycPolicySettings(value);
  } catch (error) {
    if (error instanceof KycPolicySettingsError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseKycPolicySettings', () => {
  it('accepts every documented setting', () => {
    const settings = {
      inquiryStatuses: { 'Needs Review': 'needs_review' },
      transactionStatuses: { 'Cleared by ops': 'approved' },
      caseStatuses: { Accept: 'approved', 'Waiting on customer': 'open', Done: 'resolved' },
      caseResolutions: { 'Escalated to legal': 'needs_review' },
      accountStatuses: { 'Gold tier': 'clear', Fraud: 'declined' },
      informationalReportTypes: ['email-address', 'report/phone-number'],
      laterApprovalOverridesCaseDecline: false,
      laterApprovalClearsMatches: true,
    };
    expect(parseKycPolicySettings(settings)).toEqual(settings);
  });

  it.each([
    [[], '', 'must be a JSON object'],
    [{ caseStatus: {} }, 'caseStatus', 'unknown key "caseStatus"'],
    [
      { caseStatuses: { Accept: 'approve' } },
      'caseStatuses.Accept',
      'one of open, resolved, approved, declined',
    ],
    [{ accountStatuses: { Gold: true } }, 'accountStatuses.Gold', 'one of clear, needs_review, declined'],
    [{ inquiryStatuses: ['approved'] }, 'inquiryStatuses', 'object of status → meaning'],
    [{ transactionStatuses: { ' ': 'approved' } }, 'transactionStatuses. ', 'empty status name'],
    [{ informationalReportTypes: 'email-address' }, 'informationalReportTypes', 'list of report types'],
    [{ laterApprovalClearsMatches: 'yes' }, 'laterApprovalClearsMatches', 'true or false'],
  ])('refuses %j naming %s', (value, key, message) => {
    const error = refusal(value);
    expect(error.key).toBe(key);
    expect(error.message).toContain(message);
    expect(error.code).toBe('invalid_kyc_policy');
  });
});

describe('policy fingerprint', () => {
  it('is the same for equal settings, whatever their key order or spelling, and changes with them', () => {
    const a = createKycPolicy({ caseStatuses: { Accept: 'approved', Deny: 'declined' } });
    const b = createKycPolicy({ caseStatuses: { deny: 'declined', accept: 'approved' } });
    expect(policyFingerprint(a)).toBe(policyFingerprint(b));
    expect(policyFingerprint(a)).not.toBe(policyFingerprint(defaultKycPolicy));
    expect(policyFingerprint(createKycPolicy({ laterApprovalClearsMatches: true }))).not.toBe(
      policyFingerprint(defaultKycPolicy),
    );
    expect(policyFingerprint(defaultKycPolicy)).toMatch(/^default-v2:/);
  });

  it('names a custom function by its source, unless it names itself', () => {
    const custom = () => ({ decision: 'pending' as const, reasons: [] });
    const other = () => ({ decision: 'approved' as const, reasons: [] });
    expect(policyFingerprint(custom)).toMatch(/^custom:[0-9a-f]+$/);
    expect(policyFingerprint(custom)).not.toBe(policyFingerprint(other));
    expect(policyFingerprint(Object.assign(custom, { fingerprint: 'mine-v3' }))).toBe('mine-v3');
  });
});

describe('kycPolicyEvents', () => {
  const events = kycPolicyEvents();

  it('asks for case, transaction, account and every report type’s runs, not only inquiries', () => {
    for (const name of [
      'inquiry.approved',
      'inquiry.marked-for-review',
      'case.resolved',
      'case.status-updated',
      'transaction.status-updated',
      'account.status-updated',
      'account.redacted',
      'report/watchlist.matched',
      'report/watchlist.errored',
      'report/adverse-media.dismissed',
      'report/business-media-coverage.matched',
    ]) {
      expect(events).toContain(name);
    }
    expect(events).not.toContain('inquiry-session.started');
    expect(events).not.toContain('document.created');
  });

  it('leaves out the report types the settings declare informational', () => {
    const fewer = kycPolicyEvents({ informationalReportTypes: ['watchlist'] });
    expect(fewer).not.toContain('report/watchlist.matched');
    expect(fewer).toContain('report/adverse-media.matched');
  });

  it('finds what a webhook lacks; `*` lacks nothing', () => {
    const missing = missingPolicyEvents(['inquiry.approved', 'account.redacted'], events);
    expect(missing).toContain('case.resolved');
    expect(missing).not.toContain('inquiry.approved');
    expect(missingPolicyEvents(['*'], events)).toEqual([]);
  });
});
