/**
 * The Persona emulator as a client and a receiver see it over real HTTP: deliveries signed and retried
 * as Persona documents, rotation's two-signature header, webhook management, delivery search, the
 * inquiry lifecycle, inflection, faults and Persona's error shape.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { projectKyc } from '../../packages/persona-webhooks/src/kyc/projection.js';
import { verifySignature } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import { PERSONA_RETRY_DELAYS_SECONDS } from '../../packages/server/src/emulator/deliverer.js';
import {
  getWebhook,
  rotateWebhookSecret,
  searchWebhookDeliveries,
  setWebhookEnabled,
} from '../../packages/server/src/persona-api/webhooks-api.js';
import { type Emulator, emulatorClient, emulatorControl, startTestEmulator } from '../helpers/emulator.js';
import { type RecordingReceiver, startRecordingReceiver } from '../helpers/recording-receiver.js';
import { eventually } from '../helpers/service-process.js';

/** The fact updates an event implies, without its links (asserted on their own where they matter). */
const factUpdates = (event: Parameters<typeof projectKyc>[0]) =>
  projectKyc(event).filter((update) => update.kind !== 'links');

let emulator: Emulator | undefined;
let receiver: RecordingReceiver | undefined;
afterEach(async () => {
  await emulator?.close();
  await receiver?.close();
  emulator = undefined;
  receiver = undefined;
});

/** A JSON answer, typed by the caller. */
const json = async <T>(response: Response) => (await response.json()) as T;
interface Resource {
  id: string;
  type: string;
  attributes: Record<string, unknown> & { name?: string; payload?: { data: { attributes: unknown } } };
}

describe('deliveries', () => {
  it("retries a failing receiver after Persona's documented delays, divided by the time scale", async () => {
    const timeScale = 100_000;
    receiver = await startRecordingReceiver(() => 500);
    emulator = await startTestEmulator({ timeScale });
    const webhook = emulator.createWebhook({ url: receiver.url, enabledEvents: ['inquiry.approved'] });
    const event = emulator.state.recordEvent({ name: 'inquiry.approved' });

    await eventually(async () => receiver!.requests.length === 8, 10_000);
    await eventually(async () => emulator!.state.deliveries[0]?.status === 'failed');
    const times = receiver.requests.map((request) => request.atMs);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const expected = PERSONA_RETRY_DELAYS_SECONDS.map((seconds) => (seconds * 1000) / timeScale);
    expect(expected.map((ms) => Math.round(ms * 100) / 100)).toEqual([
      0.03, 0.64, 7.29, 40.96, 156.25, 466.56, 1176.49,
    ]);
    gaps.forEach((gap, i) => {
      // Never early (timers round down to whole ms); late only by scheduling and one request’s time
      // (generous: the suite shares two cores).
      expect(gap).toBeGreaterThanOrEqual(Math.floor(expected[i]!));
      expect(gap).toBeLessThan(expected[i]! + 200);
    });
    expect(receiver.requests.map((r) => r.headers['persona-webhook-attempts-made'])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
    ]);
    expect(receiver.requests.map((r) => r.headers['persona-webhook-attempts-left'])).toEqual([
      '7',
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
      '0',
    ]);
    expect(new Set(receiver.requests.map((r) => r.headers['persona-webhook-first-attempted-at'])).size).toBe(
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.requests).toHaveLength(8); // then gives up, as Persona does
    const [record] = (await searchWebhookDeliveries(emulatorClient(emulator), { webhookId: webhook.id }))
      .deliveries;
    expect(record).toMatchObject({
      eventId: event.id,
      status: 'failed',
      attemptsMade: 8,
      lastError: 'HTTP 500',
    });
  });

  it('signs like Persona: its headers, t.body with the webhook secret, the same event the Events API returns', async () => {
    receiver = await startRecordingReceiver();
    emulator = await startTestEmulator();
    const webhook = emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-1' });

    await eventually(async () => receiver!.requests.length === 1);
    const [request] = receiver.requests;
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.headers['persona-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(
      verifySignature({
        body: request!.body,
        header: request!.headers['persona-signature'] as string,
        secrets: [webhook.secrets[0]!.value],
      }),
    ).toMatchObject({ ok: true });
    const parsed = parseEvent(request!.body);
    expect(parsed).toMatchObject({ ok: true, event: { name: 'inquiry.created', inquiryId: inquiry.id } });
    const apiEvent = await fetch(`${emulator.apiUrl}/events/${parsed.ok ? parsed.event.id : ''}`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    });
    expect(JSON.stringify(await apiEvent.json())).toBe(request!.body);
    await eventually(async () => emulator!.state.deliveries[0]?.status === 'completed');
  });

  it('counts only 200, 201, 202 and 204 as delivered', async () => {
    receiver = await startRecordingReceiver((_request, index) => (index === 0 ? 203 : 204));
    emulator = await startTestEmulator();
    emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    emulator.state.recordEvent({ name: 'inquiry.completed' });
    await eventually(async () => emulator!.state.deliveries[0]?.status === 'completed');
    expect(emulator.state.attempts.map((a) => [a.status, a.error])).toEqual([
      [203, 'HTTP 203'],
      [204, null],
    ]);
  });

  it('sends two signature sets while a rotated secret lives, one after it expired', async () => {
    receiver = await startRecordingReceiver();
    emulator = await startTestEmulator();
    const created = emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    const oldSecret = created.secrets[0]!.value;
    const client = emulatorClient(emulator);
    const rotated = await rotateWebhookSecret(client, created.id, 3600);
    expect(rotated.secrets).toHaveLength(2);
    expect(rotated.secrets[1]).toMatchObject({ value: oldSecret });
    expect(Date.parse(rotated.secrets[1]!.expiresAt!) - Date.now()).toBeGreaterThan(3590_000);
    const newSecret = rotated.secrets[0]!.value;

    emulator.state.recordEvent({ name: 'inquiry.approved' });
    await eventually(async () => receiver!.requests.length === 1);
    const header = receiver.requests[0]!.headers['persona-signature'] as string;
    const sets = header.split(' ');
    expect(sets).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(verifySignature({ body: receiver.requests[0]!.body, header, secrets: [secret] }).ok).toBe(true);
    }
    // Each set alone verifies with exactly one of the two secrets.
    expect(
      verifySignature({ body: receiver.requests[0]!.body, header: sets[0]!, secrets: [newSecret] }).ok,
    ).toBe(true);
    expect(
      verifySignature({ body: receiver.requests[0]!.body, header: sets[1]!, secrets: [oldSecret] }).ok,
    ).toBe(true);

    await rotateWebhookSecret(client, created.id, 0); // both older secrets stop now
    emulator.state.recordEvent({ name: 'inquiry.approved' });
    await eventually(async () => receiver!.requests.length === 2);
    const last = receiver.requests[1]!;
    expect((last.headers['persona-signature'] as string).split(' ')).toHaveLength(1);
    expect(
      verifySignature({
        body: last.body,
        header: last.headers['persona-signature'] as string,
        secrets: [newSecret],
      }).ok,
    ).toBe(false);
  });

  it('cancels pending retries when the webhook is disabled, and delivers nothing while disabled', async () => {
    receiver = await startRecordingReceiver(() => 500);
    emulator = await startTestEmulator({ timeScale: 1 }); // the first retry would come after 3 s
    const webhook = emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    emulator.state.recordEvent({ name: 'inquiry.approved' });
    await eventually(async () => receiver!.requests.length === 1);
    await eventually(async () => emulator!.state.deliveries[0]?.nextAttemptAtMs !== null);
    const disabled = await setWebhookEnabled(emulatorClient(emulator), webhook.id, false);
    expect(disabled.status).toBe('disabled');
    expect(emulator.state.deliveries[0]).toMatchObject({ status: 'failed', nextAttemptAtMs: null });
    emulator.state.recordEvent({ name: 'inquiry.declined' });
    expect(emulator.state.deliveries).toHaveLength(1);
    expect((await getWebhook(emulatorClient(emulator), webhook.id)).status).toBe('disabled');
  });

  it('delivers in the webhook’s key inflection, which the parser reads', async () => {
    receiver = await startRecordingReceiver();
    emulator = await startTestEmulator();
    emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'], keyInflection: 'snake' });
    emulator.state.createInquiry({ referenceId: 'user-snake' });
    await eventually(async () => receiver!.requests.length === 1);
    const body = receiver.requests[0]!.body;
    expect(body).toContain('"created_at"');
    expect(body).toContain('"reference_id":"user-snake"');
    expect(body).toContain('"name-first"'); // fields keep their keys
    expect(parseEvent(body)).toMatchObject({ ok: true });
  });
});

describe('faults', () => {
  it('drop-deliveries loses the next N events for good; the Events API still has them', async () => {
    receiver = await startRecordingReceiver();
    emulator = await startTestEmulator();
    const webhook = emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    const set = await emulatorControl(emulator, '/_emulator/faults', { 'drop-deliveries': 2 });
    expect((await json<{ faults: unknown }>(set)).faults).toMatchObject({ dropDeliveries: 2 });
    const events = ['a', 'b', 'c'].map((suffix) =>
      emulator!.state.recordEvent({ name: 'inquiry.approved', referenceId: `user-${suffix}` }),
    );
    await eventually(async () => receiver!.requests.length === 1);
    expect(parseEvent(receiver.requests[0]!.body)).toMatchObject({ event: { id: events[2]!.id } });
    const failed = await searchWebhookDeliveries(emulatorClient(emulator), {
      webhookId: webhook.id,
      status: 'failed',
    });
    expect(failed.deliveries.map((d) => d.eventId).sort()).toEqual([events[0]!.id, events[1]!.id].sort());
    expect(failed.deliveries[0]!.lastError).toMatch(/dropped/);
    expect(emulator.state.events).toHaveLength(3);
  });
});

describe('the REST API', () => {
  it('creates an inquiry and moves it through its lifecycle, each step an event', async () => {
    emulator = await startTestEmulator();
    const headers = { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(`${emulator.apiUrl}/inquiries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: { attributes: { 'reference-id': 'user-7' } } }),
    });
    expect(created.status).toBe(201);
    const inquiry = (await json<{ data: Resource }>(created)).data;
    expect(inquiry).toMatchObject({
      type: 'inquiry',
      attributes: { status: 'created', 'reference-id': 'user-7' },
    });
    for (const action of ['mark-for-review', 'approve']) {
      const response = await fetch(`${emulator.apiUrl}/inquiries/${inquiry.id}/${action}`, {
        method: 'POST',
        headers,
      });
      expect(response.status).toBe(200);
    }
    const redacted = await fetch(`${emulator.apiUrl}/inquiries/${inquiry.id}`, { method: 'DELETE', headers });
    expect((await json<{ data: Resource }>(redacted)).data.attributes).toMatchObject({ status: 'approved' });

    const list = await json<{ data: Resource[] }>(
      await fetch(`${emulator.apiUrl}/events?filter[object-id]=${inquiry.id}`, { headers }),
    );
    expect(list.data.map((e) => e.attributes.name)).toEqual([
      'inquiry.redacted',
      'inquiry.approved',
      'inquiry.marked-for-review',
      'inquiry.created',
    ]);
    expect(list.data[1]?.attributes.payload?.data.attributes).toMatchObject({
      status: 'approved',
      'reference-id': 'user-7',
    });
  });

  it("answers in Persona's error shape with a Request-Id and rate-limit headers", async () => {
    emulator = await startTestEmulator();
    const unauthorised = await fetch(`${emulator.apiUrl}/events`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toEqual({
      errors: [{ title: 'Unauthorized', details: 'The API key is missing, invalid or revoked.' }],
    });
    expect(unauthorised.headers.get('request-id')).toMatch(/^req_\w{24}$/);

    const missing = await fetch(`${emulator.apiUrl}/events/evt_missing`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    });
    expect(missing.status).toBe(404);
    expect((await json<{ errors: unknown[] }>(missing)).errors[0]).toMatchObject({
      title: 'Record not found',
    });
    expect(missing.headers.get('ratelimit-limit')).toBe('300');
    // The 401 above was not counted: unauthenticated requests never reach the limiter.
    expect(Number(missing.headers.get('ratelimit-remaining'))).toBe(299);
    expect(Number(missing.headers.get('ratelimit-reset'))).toBeGreaterThan(0);

    const badPage = await fetch(`${emulator.apiUrl}/events?page[size]=500`, {
      headers: { authorization: `Bearer ${emulator.apiKey}` },
    });
    expect(badPage.status).toBe(400);
  });
});

/** POSTs JSON to one of the emulator's own `/_emulator` routes. */
async function control(path: string, body: unknown = {}) {
  const response = await emulatorControl(emulator!, `/_emulator${path}`, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface StepAnswer {
  data: Resource & { relationships: Record<string, { data: unknown }> };
  events: Array<{ id: string; name: string }>;
}

/** The delivered event with this id, verified against the webhook secret and parsed. */
function delivered(webhook: { secrets: Array<{ value: string }> }, eventId: string) {
  const request = receiver!.requests.find(
    (r) => parseEvent(r.body).ok && r.body.includes(`"id":"${eventId}"`),
  );
  if (!request) throw new Error(`${eventId} was not delivered`);
  const signature = request.headers['persona-signature'] as string;
  expect(
    verifySignature({ body: request.body, header: signature, secrets: [webhook.secrets[0]!.value] }),
  ).toMatchObject({ ok: true });
  const parsed = parseEvent(request.body);
  if (!parsed.ok) throw new Error('unparseable delivery');
  return { body: request.body, event: parsed.event };
}

describe('cases and reports', () => {
  it("opens a case about a user's newest inquiry and resolves it: signed deliveries, in the Events API, tied to the inquiry and account", async () => {
    receiver = await startRecordingReceiver();
    emulator = await startTestEmulator();
    const webhook = emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    emulator.state.createInquiry({ referenceId: 'user-9' });
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-9' }); // the newest is the one

    const opened = await control('/cases', { 'reference-id': 'user-9' });
    expect(opened.status).toBe(201);
    const { data: kase, events: openEvents } = opened.body as unknown as StepAnswer;
    expect(kase).toMatchObject({
      type: 'case',
      attributes: { status: 'open', resolution: null },
      relationships: {
        inquiries: { data: [{ type: 'inquiry', id: inquiry.id }] },
        accounts: { data: [{ type: 'account', id: inquiry.accountId }] },
      },
    });
    expect(openEvents.map((e) => e.name)).toEqual(['case.created']);

    const resolved = await control(`/cases/${kase.id}/resolve`, { resolution: 'Declined' });
    expect(resolved.status).toBe(200);
    const { events: resolveEvents } = resolved.body as unknown as StepAnswer;
    expect(resolved.body['data']).toMatchObject({
      attributes: { status: 'resolved', resolution: 'Declined' },
    });
    expect(resolveEvents.map((e) => e.name)).toEqual(['case.resolved']);

    await eventually(async () => receiver!.requests.length === 4);
    const created = delivered(webhook, openEvents[0]!.id);
    const resolution = delivered(webhook, resolveEvents[0]!.id);
    // The case reaches its user through the inquiry and account it names.
    expect(projectKyc(created.event).find((u) => u.kind === 'links')).toEqual({
      kind: 'links',
      objectId: kase.id,
      objectKind: 'case',
      related: expect.arrayContaining([
        { id: inquiry.id, kind: 'inquiry' },
        { id: inquiry.accountId, kind: 'account' },
      ]),
    });
    expect(factUpdates(created.event)).toEqual([
      expect.objectContaining({
        kind: 'case',
        caseId: kase.id,
        inquiryId: inquiry.id,
        accountId: inquiry.accountId,
        status: 'open',
        resolution: null,
        eventId: openEvents[0]!.id,
      }),
    ]);
    expect(factUpdates(resolution.event)).toEqual([
      expect.objectContaining({ kind: 'case', caseId: kase.id, status: 'resolved', resolution: 'declined' }),
    ]);
    expect(resolution.event.createdAtMs).toBeGreaterThan(created.event.createdAtMs);

    const headers = { authorization: `Bearer ${emulator.apiKey}` };
    const list = await json<{ data: Resource[] }>(
      await fetch(`${emulator.apiUrl}/events?filter[object-id]=${kase.id}`, { headers }),
    );
    expect(list.data.map((e) => e.id)).toEqual([resolveEvents[0]!.id, openEvents[0]!.id]);
    const one = await fetch(`${emulator.apiUrl}/events/${resolveEvents[0]!.id}`, { headers });
    expect(JSON.stringify(await one.json())).toBe(resolution.body);
  });

  it('refuses steps a case cannot take, and unknown cases or inquiries, in Persona’s error shape', async () => {
    emulator = await startTestEmulator();
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-10' });
    const { body } = await control('/cases', { 'inquiry-id': inquiry.id });
    const caseId = (body as unknown as StepAnswer).data.id;

    expect(await control(`/cases/${caseId}/reopen`)).toMatchObject({
      status: 409,
      body: { errors: [{ title: 'Conflict', details: `case ${caseId} is already open` }] },
    });
    expect((await control(`/cases/${caseId}/resolve`, { resolution: 7 })).status).toBe(400);
    expect(await control(`/cases/${caseId}/resolve`)).toMatchObject({
      status: 200,
      body: { data: { attributes: { resolution: 'Approved' } }, events: [{ name: 'case.resolved' }] },
    });
    expect((await control(`/cases/${caseId}/resolve`)).status).toBe(409);
    expect(await control(`/cases/${caseId}/reopen`)).toMatchObject({
      status: 200,
      body: {
        data: { attributes: { status: 'open', resolution: null } },
        events: [{ name: 'case.reopened' }],
      },
    });
    expect(await control('/cases/case_missing/resolve')).toMatchObject({
      status: 404,
      body: { errors: [{ title: 'Record not found' }] },
    });
    expect((await control('/cases', {})).status).toBe(400);
    expect((await control('/cases', { 'inquiry-id': 'inq_missing' })).status).toBe(404);
    expect(await control('/cases', { 'reference-id': 'nobody' })).toMatchObject({
      status: 404,
      body: { errors: [{ details: expect.stringContaining('create one first') }] },
    });
    expect(emulator.state.cases.size).toBe(1);
  });

  it('runs a continuously monitored watchlist report: a new match sends ready then matched, a later clean run ready alone', async () => {
    receiver = await startRecordingReceiver();
    emulator = await startTestEmulator();
    const webhook = emulator.createWebhook({ url: receiver.url, enabledEvents: ['*'] });
    const inquiry = emulator.state.createInquiry({ referenceId: 'user-11' });

    const first = await control('/reports', { 'inquiry-id': inquiry.id, 'has-match': true });
    expect(first.status).toBe(201);
    const { data: report, events: matchEvents } = first.body as unknown as StepAnswer;
    expect(report).toMatchObject({
      type: 'report/watchlist',
      attributes: { 'has-match': true, 'is-continuous': true },
      relationships: {
        inquiry: { data: { type: 'inquiry', id: inquiry.id } },
        account: { data: { type: 'account', id: inquiry.accountId } },
      },
    });
    expect(matchEvents.map((e) => e.name)).toEqual(['report/watchlist.ready', 'report/watchlist.matched']);

    // The match still stands: Persona says `matched` only on the run that introduces one.
    const again = (await control(`/reports/${report.id}/run`, { 'has-match': true }))
      .body as unknown as StepAnswer;
    expect(again.events.map((e) => e.name)).toEqual(['report/watchlist.ready']);
    const clean = await control(`/reports/${report.id}/run`, { 'has-match': false });
    expect(clean.status).toBe(200);
    const cleanEvents = (clean.body as unknown as StepAnswer).events;
    expect(cleanEvents.map((e) => e.name)).toEqual(['report/watchlist.ready']);
    expect(clean.body['data']).toMatchObject({ attributes: { 'has-match': false } });

    await eventually(async () => receiver!.requests.length === 5);
    const matched = delivered(webhook, matchEvents[1]!.id);
    expect(factUpdates(matched.event)).toEqual([
      expect.objectContaining({
        kind: 'report',
        reportId: report.id,
        reportType: 'watchlist',
        inquiryId: inquiry.id,
        accountId: inquiry.accountId,
        hasMatch: true,
        isContinuous: true,
        eventId: matchEvents[1]!.id,
      }),
    ]);
    expect(factUpdates(delivered(webhook, cleanEvents[0]!.id).event)).toEqual([
      expect.objectContaining({ kind: 'report', reportId: report.id, hasMatch: false }),
    ]);
    const list = await json<{ data: Resource[] }>(
      await fetch(`${emulator.apiUrl}/events?filter[object-id]=${report.id}`, {
        headers: { authorization: `Bearer ${emulator.apiKey}` },
      }),
    );
    expect(list.data.map((e) => e.attributes.name)).toEqual([
      'report/watchlist.ready',
      'report/watchlist.ready',
      'report/watchlist.matched',
      'report/watchlist.ready',
    ]);
  });

  it('runs other report types, and refuses unknown types, bad flags and unknown reports', async () => {
    emulator = await startTestEmulator();
    emulator.state.createInquiry({ referenceId: 'user-12' });
    const pep = await control('/reports', {
      'reference-id': 'user-12',
      type: 'politically-exposed-person',
      'has-match': true,
      'is-continuous': false,
    });
    expect(pep).toMatchObject({
      status: 201,
      body: {
        data: { type: 'report/politically-exposed-person', attributes: { 'is-continuous': false } },
        events: [
          { name: 'report/politically-exposed-person.ready' },
          { name: 'report/politically-exposed-person.matched' },
        ],
      },
    });
    expect((await control('/reports', { 'reference-id': 'user-12', type: 'credit-score' })).status).toBe(400);
    expect((await control('/reports', { 'reference-id': 'user-12', 'has-match': 'yes' })).status).toBe(400);
    expect((await control('/reports', { 'reference-id': 'nobody' })).status).toBe(404);
    expect((await control('/reports/rep_missing/run')).status).toBe(404);
    expect(emulator.state.reports.size).toBe(1);
  });

  it('records any case or report event with the ids given', async () => {
    emulator = await startTestEmulator();
    const recorded = await control('/events', {
      name: 'case.resolved',
      'case-id': 'case_given',
      'inquiry-id': 'inq_given',
      'account-id': 'act_given',
      resolution: 'Declined',
    });
    expect(recorded.status).toBe(201);
    expect(recorded.body['data']).toMatchObject({
      attributes: {
        payload: {
          data: {
            id: 'case_given',
            attributes: { resolution: 'Declined' },
            relationships: {
              inquiries: { data: [{ id: 'inq_given' }] },
              accounts: { data: [{ id: 'act_given' }] },
            },
          },
        },
      },
    });
    const report = await control('/events', {
      name: 'report/watchlist.ready',
      'report-id': 'rep_given',
      'has-match': true,
    });
    expect(report.body['data']).toMatchObject({
      attributes: { payload: { data: { id: 'rep_given', attributes: { 'has-match': true } } } },
    });
  });
});
