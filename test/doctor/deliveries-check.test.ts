/**
 * The deliveries check over what the inbox holds: failed deliveries whose events reconciliation has
 * already recovered are reported as recovered, with when, and no longer fail the check.
 */
import { describe, expect, it } from 'vitest';
import { checkDeliveries } from '../../packages/server/src/doctor/checks.js';
import type { StoredEventInfo } from '../../packages/server/src/doctor/recovered-events.js';
import type { Webhook, WebhookDelivery } from '../../packages/server/src/persona-api/webhooks-api.js';

const webhook = { id: 'wbh_1' } as Webhook;
const since = '2026-12-01T00:00:00.000Z';
const delivery = (eventId: string | null, updatedAt: string): WebhookDelivery => ({
  id: `wbhe_${eventId}`,
  status: 'failed',
  webhookId: 'wbh_1',
  eventId,
  eventName: 'inquiry.approved',
  attemptsMade: 8,
  updatedAt,
  lastError: 'HTTP 503',
});
const failed = {
  deliveries: [delivery('evt_b', '2026-12-01T10:00:00.000Z'), delivery('evt_a', '2026-12-01T09:00:00.000Z')],
  more: false,
};
const api = (iso: string): StoredEventInfo => ({ source: 'api', receivedAtMs: Date.parse(iso) });

describe('doctor: recent deliveries against the inbox', () => {
  it('fails, as before, when none of the events is in the inbox', () => {
    const check = checkDeliveries(webhook, failed, null, since, { found: new Map() });
    expect(check.status).toBe('failed');
    expect(check.detail).toContain('None of their events is in the inbox yet.');
    expect(check.fix).toContain('persona-webhooks backfill --since 2026-12-01T09:00:00.000Z');
  });

  it('is a warning naming when, once reconciliation recovered every one', () => {
    const found = new Map([
      ['evt_a', api('2026-12-01T11:00:05.000Z')],
      ['evt_b', api('2026-12-01T11:00:07.000Z')],
    ]);
    const check = checkDeliveries(webhook, failed, null, since, { found });
    expect(check.status).toBe('warning');
    expect(check.detail).toContain(
      "All 2 of their events were recovered by reconciliation (Persona's Events API) between 2026-12-01 11:00:05 UTC and 2026-12-01 11:00:07 UTC.",
    );
    // Nothing to backfill; the URL still needs fixing.
    expect(check.fix).not.toContain('backfill');
    expect(check.fix).toContain('HTTP 503');
  });

  it('stays failed when some are still missing, naming the recovered ones and when', () => {
    const found = new Map([['evt_a', api('2026-12-01T11:00:05.000Z')]]);
    const check = checkDeliveries(webhook, failed, null, since, { found });
    expect(check.status).toBe('failed');
    expect(check.detail).toContain(
      "1 of their 2 events was recovered by reconciliation (Persona's Events API) at 2026-12-01 11:00:05 UTC; 1 is still missing.",
    );
    expect(check.fix).toContain('backfill');
  });

  it('does not call it all recovered when the page of failures was cut short', () => {
    const found = new Map([
      ['evt_a', api('2026-12-01T11:00:05.000Z')],
      ['evt_b', api('2026-12-01T11:00:05.000Z')],
    ]);
    const check = checkDeliveries(webhook, { ...failed, more: true }, null, since, { found });
    expect(check.status).toBe('failed');
    expect(check.detail).toContain('at 2026-12-01 11:00:05 UTC');
  });

  it('counts an event that arrived by webhook after all, and says when the inbox could not be read', () => {
    const found = new Map<string, StoredEventInfo>([
      ['evt_a', api('2026-12-01T11:00:05.000Z')],
      ['evt_b', { source: 'webhook', receivedAtMs: Date.parse('2026-12-01T12:00:00.000Z') }],
    ]);
    const mixed = checkDeliveries(webhook, failed, null, since, { found });
    expect(mixed.status).toBe('warning');
    expect(mixed.detail).toContain('1 arrived by webhook after all');
    const unreadable = checkDeliveries(webhook, failed, null, since, { unavailable: 'No database at /x.db' });
    expect(unreadable.status).toBe('failed');
    expect(unreadable.detail).toContain(
      "Could not look in this receiver's inbox for recovered events: No database at /x.db",
    );
  });
});
