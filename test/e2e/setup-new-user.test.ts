/**
 * The setup as a new user follows it, against the emulator as Persona: `webhooks create` (no flags but
 * the URL), the service started with the secret it printed, `doctor` passing, then a user approved and,
 * after approval, a screening match and a reviewer's case: the case and report events arrive because the
 * webhook was created subscribed to them, and the decision holds the user, then declines them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Emulator, emulatorControl, startTestEmulator } from '../helpers/emulator.js';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { admin, eventually, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-setup-new-user-'));
let emulator: Emulator | undefined;
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop();
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Step {
  data: { id: string };
  events: Array<{ id: string; name: string }>;
}

describe('setup as a new user follows it', () => {
  it('webhooks create → serve with its secret → doctor passes → a screening match after approval holds the user, a declining case declines them', async () => {
    emulator = await startTestEmulator();
    const persona = { PERSONA_API_URL: emulator.apiUrl, PERSONA_API_KEY: emulator.apiKey };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhooks/persona`;

    const created = await runCli(['webhooks', 'create', '--url', url], { env: persona });
    expect(created.code).toBe(0);
    const secret = /\n {2}PERSONA_WEBHOOK_SECRET=(\S+)\n/.exec(created.stdout)![1]!;
    service = await startServiceProcess({
      PORT: String(port),
      PERSONA_WEBHOOK_SECRET: secret,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    });
    const doctor = await runCli(['doctor', '--url', url], {
      env: { ...persona, PERSONA_WEBHOOK_SECRET: secret },
    });
    expect(doctor.stdout).toMatch(/passed +enabled events/);
    expect(doctor.code).toBe(0);

    const control = async (path: string, body: unknown = {}) => {
      const response = await emulatorControl(emulator!, `/_emulator${path}`, body);
      expect(response.status).toBeLessThan(300);
      return (await response.json()) as Step;
    };
    const decision = (done: (kyc: { decision: string; reasons: Array<{ code: string }> }) => boolean) =>
      eventually(async () => {
        const { json } = await admin(service!.url, '/api/kyc/new-user-1');
        const kyc = json as unknown as { decision: string; reasons: Array<{ code: string }> };
        return kyc.decision && done(kyc) ? kyc : null;
      }, 15_000);

    const inquiry = emulator.state.createInquiry({ referenceId: 'new-user-1' });
    emulator.state.transitionInquiry(inquiry, 'approve');
    await decision((k) => k.decision === 'approved');

    const report = await control('/reports', {
      'reference-id': 'new-user-1',
      type: 'screening',
      'has-match': true,
    });
    const held = await decision((k) => k.decision === 'needs_review');
    expect(held.reasons[0]!.code).toBe('screening_match');

    const kase = await control('/cases', { 'report-id': report.data.id });
    await control(`/cases/${kase.data.id}/status`, { status: 'Declined by Team 1' });
    const declined = await decision((k) => k.decision === 'declined');
    expect(declined.reasons[0]!.code).toBe('case_declined');

    // Every report and case event was delivered to the service and accepted.
    const delivered = emulator.state.attempts.filter((a) => /^(case\.|report\/)/.test(a.eventName));
    expect(delivered.map((a) => a.eventName).sort()).toEqual(
      [
        'case.created',
        'case.resolved',
        'case.status-updated',
        'report/screening.matched',
        'report/screening.ready',
      ].sort(),
    );
    expect(delivered.every((a) => a.status === 200)).toBe(true);
  }, 90_000);
});
