import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PersonaEvent } from '../../packages/persona-webhooks/src/events/event.js';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { projectKyc } from '../../packages/persona-webhooks/src/kyc/projection.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';

const FIXTURE = readFileSync(
  new URL('../fixtures/inquiry.approved.docs-sample.json', import.meta.url),
  'utf8',
);
const PII = [
  'Jane',
  'Marie',
  'Doe',
  '123 Main St',
  'San Francisco',
  '94111',
  '1995-09-08',
  'jane@doe.com',
  'creator@withpersona.com',
];

function parse(body: string): PersonaEvent {
  const parsed = parseEvent(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

/** Re-keys a kebab-case envelope the way a camel- or snake-inflected webhook would; `fields` keys never are. */
function inflect(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => inflect(item, rename));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      rename(key),
      key === 'fields' ? inner : inflect(inner, rename),
    ]),
  );
}
const toCamel = (key: string) => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const toSnake = (key: string) => key.replaceAll('-', '_');

const fixtureUpdate = {
  kind: 'inquiry',
  inquiryId: 'inq_zEx4jL84ShbUyuwX6AzPSqt6',
  referenceId: 'abc-123',
  accountId: 'act_n2uq9eKMboaCQzu9ALWYcVdN',
  status: 'approved',
  statusAtMs: Date.parse('2024-02-15T23:48:17.732Z'),
  eventId: 'evt_o9byQRbjygu76Jbtea9wuJ1boP7a',
  inquiryCreatedAtMs: Date.parse('2023-03-29T19:06:45.000Z'),
  redactedAtMs: null,
};

describe('projectKyc', () => {
  it("turns Persona's own sample into one inquiry status update (its account is the update's; no reports)", () => {
    expect(projectKyc(parse(FIXTURE))).toEqual([fixtureUpdate]);
  });

  it.each([
    ['camel', toCamel],
    ['snake', toSnake],
  ])('gives the same update for a %s-inflected webhook', (_, rename) => {
    const body = JSON.stringify(inflect(JSON.parse(FIXTURE), rename));
    expect(body).not.toContain('reference-id');
    expect(projectKyc(parse(body))).toEqual([fixtureUpdate]);
  });

  it('never copies personal data into updates', () => {
    const serialised = JSON.stringify([
      projectKyc(parse(FIXTURE)),
      projectKyc(parse(buildEvent({ name: 'inquiry.approved' }).body)),
    ]);
    for (const value of [...PII, 'Example', '1990-01-01', '1 Example Street'])
      expect(serialised).not.toContain(value);
  });

  it('reports the status the payload carries, normalised, whatever the event name', () => {
    const body = FIXTURE.replace('"status": "approved"', '"status": "needs review"').replace(
      '"name": "inquiry.approved"',
      '"name": "inquiry.transitioned"',
    );
    expect(projectKyc(parse(body))).toEqual([{ ...fixtureUpdate, status: 'needs_review' }]);
  });

  it("links an inquiry to its reports and transactions; its account stays the update's", () => {
    const envelope = JSON.parse(FIXTURE);
    envelope.data.attributes.payload.data.relationships.reports = {
      data: [{ type: 'report/watchlist', id: 'rep_1' }],
    };
    envelope.data.attributes.payload.data.relationships.transactions = {
      data: [{ type: 'transaction', id: 'txn_1' }],
    };
    expect(projectKyc(parse(JSON.stringify(envelope)))).toEqual([
      fixtureUpdate,
      {
        kind: 'links',
        objectId: 'inq_zEx4jL84ShbUyuwX6AzPSqt6',
        objectKind: 'inquiry',
        related: [
          { id: 'rep_1', kind: 'report' },
          { id: 'txn_1', kind: 'transaction' },
        ],
      },
    ]);
  });

  it('does not require relationships (webhook allowlists can drop them)', () => {
    const envelope = JSON.parse(FIXTURE);
    delete envelope.data.attributes.payload.data.relationships;
    delete envelope.data.attributes.payload.included;
    const [update] = projectKyc(parse(JSON.stringify(envelope)));
    expect(update).toMatchObject({
      kind: 'inquiry',
      referenceId: 'abc-123',
      accountId: null,
      status: 'approved',
    });
  });

  it('projects a verification event onto its verification, linked to the owning inquiry', () => {
    const built = buildEvent({
      name: 'verification.requires-retry',
      verificationId: 'ver_1',
      inquiryId: 'inq_owner',
    });
    expect(projectKyc(parse(built.body))).toEqual([
      {
        kind: 'verification',
        verificationId: 'ver_1',
        inquiryId: 'inq_owner',
        verificationType: 'verification/government-id',
        status: 'requires_retry',
        statusAtMs: Date.parse(built.createdAt),
        eventId: built.eventId,
      },
    ]);
  });

  it('inquiry.redacted keeps the status, records redacted-at and scrubs the inquiry bodies', () => {
    const built = buildEvent({
      name: 'inquiry.redacted',
      inquiryId: 'inq_r',
      status: 'approved',
      createdAt: '2024-05-01T00:00:00.000Z',
    });
    expect(projectKyc(parse(built.body))).toEqual([
      expect.objectContaining({
        kind: 'inquiry',
        inquiryId: 'inq_r',
        status: 'approved',
        redactedAtMs: Date.parse('2024-05-01T00:00:00.000Z'),
      }),
      { kind: 'scrub', inquiryId: 'inq_r', accountId: null },
    ]);
  });

  it('a redacted status does not imply redaction; only the redaction event or redacted-at does', () => {
    const built = buildEvent({ name: 'inquiry.approved', status: 'redacted' });
    const updates = projectKyc(parse(built.body)).filter((u) => u.kind !== 'links');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'redacted', redactedAtMs: null });
  });

  it('account.redacted marks the account fact redacted and scrubs every body of the account', () => {
    const built = buildEvent({ name: 'account.redacted', accountId: 'act_gone' });
    const updates = projectKyc(parse(built.body));
    expect(updates.map((u) => u.kind)).toEqual(['account', 'scrub']);
    expect(updates[0]).toMatchObject({
      kind: 'account',
      accountId: 'act_gone',
      redactedAtMs: expect.any(Number),
    });
    expect(updates[1]).toEqual({ kind: 'scrub', inquiryId: null, accountId: 'act_gone' });
  });

  it.each(['inquiry-session.started', 'document.created', 'brand-new.thing'])('ignores %s', (name) => {
    expect(projectKyc(parse(buildEvent({ name, inquiryId: 'inq_x' }).body))).toEqual([]);
  });
});
