/**
 * The policy's events said briefly: counted by family for `webhooks create`, and what a webhook lacks
 * grouped for `doctor` (a family or report type missing whole is one item, a few names stay names).
 */
import { kycPolicyEvents } from 'persona-webhooks';
import { describe, expect, it } from 'vitest';
import {
  countByFamily,
  eventFamilies,
  summarizeMissing,
} from '../../packages/server/src/policy-events/event-families.js';

const required = kycPolicyEvents();
const without = (drop: (name: string) => boolean) => required.filter((name) => drop(name));

describe('countByFamily', () => {
  it("counts the default policy's events by family, the report types too", () => {
    const reports = required.filter((name) => name.startsWith('report/'));
    const types = new Set(reports.map((name) => name.slice(7, name.lastIndexOf('.'))));
    expect(countByFamily(required)).toBe(
      `inquiry 9, account 13, case 13, transaction 8, report ${reports.length} (${types.size} types)`,
    );
    expect(countByFamily(['case.created', 'inquiry.approved'])).toBe('inquiry 1, case 1');
  });
});

describe('eventFamilies', () => {
  it('says a family is whole only when every documented event of it is there', () => {
    const families = eventFamilies(required);
    expect(families.map((f) => [f.family, f.whole])).toEqual([
      ['inquiry', false],
      ['account', true],
      ['case', true],
      ['transaction', true],
      ['report', false],
    ]);
    expect(families.at(-1)!.types).toContain('screening');
  });
});

describe('summarizeMissing', () => {
  it('groups a webhook that sends inquiries only: families and every report run as one item each', () => {
    const missing = without((name) => !name.startsWith('inquiry.') && name !== 'account.redacted');
    const items = summarizeMissing(missing, required);
    expect(items.slice(0, 3)).toEqual([
      'account.* except account.redacted (12 events)',
      'case.* (13 events)',
      'transaction.* (8 events)',
    ]);
    expect(items[3]).toMatch(
      /^report\/\* \(\d+ events of \d+ report types: errored, ready, dismissed, matched\)$/,
    );
    expect(items).toHaveLength(4);
  });

  it('names a report type missing whole, and single events as they are', () => {
    const missing = [
      ...without((name) => name.startsWith('report/watchlist.')),
      'report/screening.matched',
      'inquiry.marked-for-review',
    ];
    expect(summarizeMissing(missing, required)).toEqual([
      'inquiry.marked-for-review',
      'report/watchlist (4 events: dismissed, errored, matched, ready)',
      'report/screening.matched',
    ]);
  });

  it('gives the first names of a family missing in part', () => {
    const missing = ['case.created', 'case.resolved', 'case.status-updated', 'case.reopened'];
    expect(summarizeMissing(missing, required)).toEqual([
      '4 events of case.* (case.created, case.resolved, case.status-updated …)',
    ]);
  });
});
