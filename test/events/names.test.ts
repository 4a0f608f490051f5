import { describe, expect, it } from 'vitest';
import {
  isKnownEventName,
  KNOWN_REPORT_TYPES,
  PERSONA_EVENT_NAMES,
} from '../../packages/persona-webhooks/src/events/names.js';

describe('event names', () => {
  it('lists each name once', () => {
    expect(new Set(PERSONA_EVENT_NAMES).size).toBe(PERSONA_EVENT_NAMES.length);
  });

  it('has ready, matched and errored for every report type', () => {
    for (const type of KNOWN_REPORT_TYPES) {
      for (const outcome of ['ready', 'matched', 'errored']) {
        expect(PERSONA_EVENT_NAMES).toContain(`report/${type}.${outcome}`);
      }
    }
  });

  it('covers each documented family', () => {
    const count = (prefix: string) => PERSONA_EVENT_NAMES.filter((name) => name.startsWith(prefix)).length;
    expect(
      Object.fromEntries(
        [
          'account.',
          'case.',
          'document.',
          'inquiry.',
          'inquiry-session.',
          'selfie.',
          'transaction.',
          'verification.',
        ].map((prefix) => [prefix, count(prefix)]),
      ),
    ).toEqual({
      'account.': 10,
      'case.': 7,
      'document.': 4,
      'inquiry.': 13,
      'inquiry-session.': 3,
      'selfie.': 4,
      'transaction.': 4,
      'verification.': 6,
    });
  });

  it('recognises known names only', () => {
    expect(isKnownEventName('inquiry.approved')).toBe(true);
    expect(isKnownEventName('verification.requires-retry')).toBe(true);
    expect(isKnownEventName('report/watchlist.matched')).toBe(true);
    expect(isKnownEventName('inquiry.approve')).toBe(false);
    expect(isKnownEventName('toString')).toBe(false);
    expect(isKnownEventName('')).toBe(false);
  });
});
