import { describe, expect, it } from 'vitest';
import { normaliseInquiryStatus } from '../../packages/persona-webhooks/src/kyc/status.js';

describe('normaliseInquiryStatus', () => {
  it.each([
    ['needs_review', 'needs_review'],
    ['needs review', 'needs_review'],
    ['needs-review', 'needs_review'],
    ['needsReview', 'needs_review'],
    ['  Needs Review ', 'needs_review'],
    ['NEEDS_REVIEW', 'needs_review'],
    ['approved', 'approved'],
    ['Declined', 'declined'],
    ['requires-retry', 'requires_retry'],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseInquiryStatus(raw)).toBe(expected);
  });

  it('keeps unknown statuses, normalised, rather than rejecting them', () => {
    expect(normaliseInquiryStatus('Some New-Status')).toBe('some_new_status');
    expect(normaliseInquiryStatus('awaitingSecondLook')).toBe('awaiting_second_look');
  });

  it.each([null, undefined, 42, {}, '', '   ', '--'])('returns null for %j', (raw) => {
    expect(normaliseInquiryStatus(raw)).toBeNull();
  });
});
