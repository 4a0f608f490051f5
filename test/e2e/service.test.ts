/**
 * Every endpoint and every error code of the real service process, on SQLite — with the store in its own
 * thread (PERSONA_WEBHOOKS_SQLITE_THREAD=on), so the opt-in path serves the whole API here while the other
 * end-to-end suites run the default.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import { personaHeaders, SECRET, signedEvent } from '../helpers/deliveries.js';
import {
  admin,
  eventually,
  logLines,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

let service: ServiceProcess;
let dir: string;
const hook = () => `${service.url}/webhooks/persona`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-e2e-'));
  service = await startServiceProcess({
    PERSONA_WEBHOOK_SECRET: `wbhsec_old_rotated_out,${SECRET}`,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    PERSONA_WEBHOOK_MAX_BODY_BYTES: '65536',
    PERSONA_WEBHOOKS_SQLITE_THREAD: 'on',
  });
});

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function postEvent(body: string, headers: Record<string, string>) {
  const response = await fetch(hook(), { method: 'POST', body, headers });
  return {
    status: response.status,
    json: (await response.json()) as {
      received?: boolean;
      duplicate?: boolean;
      error?: { code: string; reason?: string };
    },
  };
}

describe('the running service', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('stores, acknowledges and projects an event; a duplicate is acknowledged without a second row', async () => {
    const delivery = signedEvent({
      name: 'inquiry.approved',
      referenceId: 'user-e2e-1',
      inquiryId: 'inq_e2e_1',
    });
    expect(await postEvent(delivery.body, delivery.headers)).toEqual({
      status: 200,
      json: { received: true },
    });
    expect(await postEvent(delivery.body, personaHeaders(delivery.body))).toEqual({
      status: 200,
      json: { received: true, duplicate: true },
    });

    const kyc = await eventually(async () => {
      const response = await admin(service.url, '/api/kyc/user-e2e-1');
      return response.status === 200 && response.json['status'] === 'approved' ? response.json : null;
    });
    expect(kyc).toMatchObject({ referenceId: 'user-e2e-1', status: 'approved', inquiryId: 'inq_e2e_1' });
    expect(kyc['inquiries']).toEqual([
      {
        inquiryId: 'inq_e2e_1',
        status: 'approved',
        statusAt: delivery.createdAt,
        createdAt: delivery.createdAt,
        redactedAt: null,
        verifications: [],
      },
    ]);

    const inquiry = await admin(service.url, '/api/inquiries/inq_e2e_1');
    expect(inquiry.json).toMatchObject({
      inquiryId: 'inq_e2e_1',
      referenceId: 'user-e2e-1',
      status: 'approved',
      redactedAt: null,
    });

    const events = await admin(service.url, `/api/events?name=inquiry.approved&limit=10`);
    const listed = (events.json['events'] as Array<{ id: string; status: string; attempts: number }>).filter(
      (e) => e.id === delivery.eventId,
    );
    expect(listed).toEqual([expect.objectContaining({ id: delivery.eventId, status: 'done', attempts: 1 })]);

    const detail = await admin(service.url, `/api/events/${delivery.eventId}`);
    expect(detail.json).toMatchObject({ id: delivery.eventId, status: 'done', name: 'inquiry.approved' });
    expect((detail.json['payload'] as { data: { id: string } }).data.id).toBe(delivery.eventId);

    const replay = await admin(service.url, `/api/events/${delivery.eventId}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    expect(replay.json).toEqual({ outcome: 'replayed', id: delivery.eventId });
    await eventually(
      async () => (await admin(service.url, `/api/events/${delivery.eventId}`)).json['status'] === 'done',
    );
  });

  it("shows an inquiry's verifications and its events in created-at order", async () => {
    const inquiryId = 'inq_e2e_verified';
    const t = (s: number) => new Date(Date.parse('2025-03-01T10:00:00Z') + s * 1000);
    const deliveries = [
      signedEvent({
        name: 'inquiry.approved',
        referenceId: 'user-e2e-v',
        inquiryId,
        createdAt: t(3),
        inquiryCreatedAt: t(0),
      }),
      signedEvent({ name: 'verification.passed', inquiryId, verificationId: 'ver_e2e_1', createdAt: t(2) }),
      signedEvent({ name: 'inquiry.created', referenceId: 'user-e2e-v', inquiryId, createdAt: t(0) }),
    ];
    for (const delivery of deliveries)
      expect((await postEvent(delivery.body, delivery.headers)).status).toBe(200);

    const kyc = await eventually(async () => {
      const response = await admin(service.url, '/api/kyc/user-e2e-v');
      const inquiries = response.json['inquiries'] as Array<{ verifications: unknown[] }> | undefined;
      return inquiries?.[0]?.verifications.length ? response.json : null;
    });
    const verification = {
      verificationId: 'ver_e2e_1',
      type: 'verification/government-id',
      status: 'passed',
      statusAt: t(2).toISOString(),
    };
    expect(kyc).toMatchObject({
      status: 'approved',
      inquiries: [{ inquiryId, verifications: [verification] }],
    });
    expect((await admin(service.url, `/api/inquiries/${inquiryId}`)).json).toMatchObject({
      verifications: [verification],
    });

    const names = ['inquiry.created', 'verification.passed', 'inquiry.approved'];
    for (const path of [`/api/kyc/user-e2e-v/events`, `/api/inquiries/${inquiryId}/events`]) {
      const timeline = await admin(service.url, path);
      expect(timeline.status).toBe(200);
      expect(timeline.json['truncated']).toBe(false);
      expect((timeline.json['events'] as Array<{ name: string }>).map((e) => e.name)).toEqual(names);
    }
    const search = await admin(service.url, '/api/events?q=user-e2e-v');
    expect((search.json['events'] as unknown[]).length).toBe(3);
  });

  it('answers every webhook error with its JSON code', async () => {
    const delivery = signedEvent({ name: 'inquiry.declined' });
    const cases: Array<[Record<string, string>, string, number, string?]> = [
      [{ 'content-type': 'application/json' }, 'invalid_signature', 401, 'missing_header'],
      [{ 'persona-signature': 't=abc,v1=zz' }, 'invalid_signature', 401, 'malformed_header'],
      [
        { 'persona-signature': sign({ secret: SECRET, body: delivery.body, timestamp: 1_000_000_000 }) },
        'invalid_signature',
        401,
        'timestamp_out_of_tolerance',
      ],
      [
        { 'persona-signature': sign({ secret: 'wbhsec_wrong', body: delivery.body }) },
        'invalid_signature',
        401,
        'no_matching_signature',
      ],
    ];
    for (const [headers, code, status, reason] of cases) {
      const response = await postEvent(delivery.body, headers);
      expect(response.status).toBe(status);
      expect(response.json.error).toMatchObject({ code, ...(reason ? { reason } : {}) });
    }

    const tooLarge = await fetch(hook(), {
      method: 'POST',
      body: 'x'.repeat(70_000),
      headers: personaHeaders('x'),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');

    const get = await fetch(hook());
    expect(get.status).toBe(405);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');

    const notAnEvent = JSON.stringify({ data: { type: 'event', id: 'evt_x' } });
    const quarantined = await postEvent(notAnEvent, personaHeaders(notAnEvent));
    expect(quarantined.status).toBe(202);
    const dead = await admin(service.url, '/api/events?status=dead');
    expect(
      (dead.json['events'] as Array<{ name: string; lastError: string }>).some(
        (e) => e.name === 'malformed' && e.lastError.startsWith('malformed'),
      ),
    ).toBe(true);

    const unknown = await fetch(`${service.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('refuses the admin API without the right bearer token', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token',
      'Basic abc',
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      const response = await fetch(`${service.url}/api/kyc/user-e2e-1`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
  });

  it('answers admin 404s, 409 and 400 with codes', async () => {
    expect(await admin(service.url, '/api/kyc/nobody')).toMatchObject({
      status: 404,
      json: { error: { code: 'not_found' } },
    });
    expect(await admin(service.url, '/api/inquiries/inq_none')).toMatchObject({ status: 404 });
    expect(await admin(service.url, '/api/events/evt_none')).toMatchObject({ status: 404 });
    expect(await admin(service.url, '/api/events/evt_none/replay', { method: 'POST' })).toMatchObject({
      status: 404,
    });
    expect(await admin(service.url, '/api/events?status=bogus')).toMatchObject({
      status: 400,
      json: { error: { code: 'invalid_request' } },
    });
    expect(await admin(service.url, '/api/events?limit=0')).toMatchObject({ status: 400 });
  });

  it('paginates /api/events with a cursor', async () => {
    for (let i = 0; i < 5; i++) {
      const d = signedEvent({ name: 'inquiry.created', referenceId: `user-page-${i}` });
      await postEvent(d.body, d.headers);
    }
    const first = await admin(service.url, '/api/events?name=inquiry.created&limit=3');
    expect((first.json['events'] as unknown[]).length).toBe(3);
    const cursor = first.json['nextCursor'] as string;
    expect(typeof cursor).toBe('string');
    const second = await admin(
      service.url,
      `/api/events?name=inquiry.created&limit=3&cursor=${encodeURIComponent(cursor)}`,
    );
    const ids = [
      ...(first.json['events'] as Array<{ id: string }>),
      ...(second.json['events'] as Array<{ id: string }>),
    ].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(5);
  });

  it('exposes Prometheus metrics with the documented series', async () => {
    const response = await fetch(`${service.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/persona_webhook_requests_total\{outcome="accepted"\} [1-9]/);
    expect(text).toMatch(/persona_webhook_requests_total\{outcome="duplicate"\} [1-9]/);
    expect(text).toMatch(/persona_webhook_requests_total\{outcome="invalid_signature"\} [1-9]/);
    expect(text).toMatch(/persona_webhook_requests_total\{outcome="too_large"\} [1-9]/);
    expect(text).toMatch(/persona_webhook_events_processed_total\{result="done"\} [1-9]/);
    expect(text).toContain('persona_webhook_inbox_pending');
    expect(text).toContain('persona_webhook_ack_duration_seconds_bucket');
    expect(text).toMatch(/persona_webhook_kyc_users\{decision="approved"\} [1-9]/);
    expect(text).toMatch(/persona_webhook_kyc_users\{decision="needs_review"\} \d/);
  });

  it('logs one JSON line per request and never payload contents or secrets', async () => {
    const delivery = signedEvent({ name: 'inquiry.approved', referenceId: 'user-log' });
    await postEvent(delivery.body, delivery.headers);
    // The worker may log "event processed" before the request's own line: the ack is logged after the
    // commit resolves, and the worker can claim the event in between. Wait for both.
    await eventually(async () => {
      const mine = logLines(service.output().stdout).filter((l) => l['eventId'] === delivery.eventId);
      return mine.some((l) => l['msg'] === 'event processed') && mine.some((l) => l['msg'] === 'webhook');
    });
    const { stdout, stderr } = service.output();
    const lines = logLines(stdout);
    expect(lines.filter((l) => l['msg'] === 'webhook' && l['eventId'] === delivery.eventId)).toHaveLength(1);
    for (const forbidden of [
      SECRET,
      'wbhsec_old_rotated_out',
      'Jane',
      'Example Street',
      '1990-01-01',
      'test-admin-token',
    ]) {
      expect(stdout + stderr).not.toContain(forbidden);
    }
  });
});
