/**
 * A custom KYC policy from the handlers module (PERSONA_WEBHOOKS_HANDLERS exports `kycPolicy`) decides
 * in the real service — with the store in the service's thread and in its own thread — and a
 * `kycPolicy` that is not a function stops the start with a message naming it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, signedEvent } from '../helpers/deliveries.js';
import { runCli } from '../helpers/run-cli.js';
import { admin, eventually, REPO_ROOT, startServiceProcess } from '../helpers/service-process.js';

const fixture = (name: string) => join(REPO_ROOT, 'test/fixtures/handlers', name);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-policy-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kycPolicy exported by the handlers module', () => {
  it.each([
    ['in the service thread', 'off'],
    ['in the SQLite store thread', 'on'],
  ])('decides every user %s', async (_label, thread) => {
    const service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, `thread-${thread}.sqlite`)}`,
      PERSONA_WEBHOOKS_HANDLERS: fixture('decline-everyone.mjs'),
      PERSONA_WEBHOOKS_SQLITE_THREAD: thread,
    });
    try {
      const delivery = signedEvent({
        name: 'inquiry.approved',
        referenceId: 'policy-user',
        inquiryId: 'inq_policy',
      });
      const response = await fetch(`${service.url}/webhooks/persona`, {
        method: 'POST',
        body: delivery.body,
        headers: delivery.headers,
      });
      expect(response.status).toBe(200);
      const kyc = await eventually(async () => {
        const { json } = await admin(service.url, '/api/kyc/policy-user');
        return json['decision'] ? json : null;
      });
      // The inquiry was approved; the house policy declines anyway, and says why.
      expect(kyc).toMatchObject({
        status: 'approved',
        decision: 'declined',
        reasons: [
          {
            code: 'house_rule',
            fact: 'inquiry',
            id: 'inq_policy',
            eventId: delivery.eventId,
            message: 'This service declines everyone.',
          },
        ],
      });
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^persona_webhook_kyc_users\{decision="declined"\} 1$/m);
      expect(metrics).toMatch(/^persona_webhook_kyc_users\{decision="approved"\} 0$/m);
    } finally {
      await service.stop();
    }
  });

  it('refuses to start when kycPolicy is not a function, naming the module and the export', async () => {
    const result = await runCli(['serve'], {
      env: {
        PORT: '0',
        PERSONA_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: `sqlite:${join(dir, 'refused.sqlite')}`,
        PERSONA_WEBHOOKS_HANDLERS: fixture('policy-not-a-function.mjs'),
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /PERSONA_WEBHOOKS_HANDLERS: \S*policy-not-a-function\.mjs exports kycPolicy as a string; it must be a function/,
    );
  });
});

describe('the policy file (PERSONA_WEBHOOKS_POLICY)', () => {
  it.each([
    ['in the service thread', 'off'],
    ['in the SQLite store thread', 'on'],
  ])('decides by its status maps %s', async (_label, thread) => {
    const policy = join(dir, `policy-${thread}.json`);
    writeFileSync(policy, JSON.stringify({ inquiryStatuses: { 'Cleared by ops': 'approved' } }));
    const service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, `policy-file-${thread}.sqlite`)}`,
      PERSONA_WEBHOOKS_POLICY: policy,
      PERSONA_WEBHOOKS_SQLITE_THREAD: thread,
    });
    try {
      for (const [referenceId, status] of [
        ['mapped-user', 'Cleared by ops'],
        ['unmapped-user', 'Waiting on ops'],
      ]) {
        const delivery = signedEvent({ name: 'inquiry.transitioned', referenceId, status });
        const response = await fetch(`${service.url}/webhooks/persona`, {
          method: 'POST',
          body: delivery.body,
          headers: delivery.headers,
        });
        expect(response.status).toBe(200);
      }
      const decided = (referenceId: string) =>
        eventually(async () => {
          const { json } = await admin(service.url, `/api/kyc/${referenceId}`);
          return json['decision'] ? json : null;
        });
      expect(await decided('mapped-user')).toMatchObject({ decision: 'approved' });
      expect(await decided('unmapped-user')).toMatchObject({
        decision: 'needs_review',
        reasons: [{ code: 'inquiry_status_unmapped', status: 'waiting_on_ops', setting: 'inquiryStatuses' }],
      });
    } finally {
      await service.stop();
    }
  });

  it('refuses to start on a wrong key or value, naming the file and the key', async () => {
    const policy = join(dir, 'wrong-policy.json');
    writeFileSync(policy, JSON.stringify({ caseStatuses: { Accept: 'approve' } }));
    const result = await runCli(['serve'], {
      env: {
        PORT: '0',
        PERSONA_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: `sqlite:${join(dir, 'wrong-policy.sqlite')}`,
        PERSONA_WEBHOOKS_POLICY: policy,
      },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `PERSONA_WEBHOOKS_POLICY: ${policy}: caseStatuses.Accept is "approve"; it must be one of open, resolved, approved, declined`,
    );
    expect(existsSync(join(dir, 'wrong-policy.sqlite'))).toBe(false);
  });
});
