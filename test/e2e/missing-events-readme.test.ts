/**
 * The README's "A local Persona: emulate" walkthrough, as a new user runs it: `persona-webhooks emulate`
 * as its own process, the service with the variables it printed, two deliveries lost on purpose, an
 * inquiry approved — reconciliation puts the user's status right, and `doctor` names the failed deliveries
 * and says reconciliation already recovered their events.
 * Only the ports differ from the README (free ones instead of 3000 and 4010).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import {
  BIN,
  eventually,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-readme-missing-'));
let emulate: ChildProcess | undefined;
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop();
  if (emulate && emulate.exitCode === null) {
    const exited = new Promise((resolve) => emulate!.once('exit', resolve));
    emulate.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('README: Missing events walkthrough with the emulator', () => {
  it('emulate → serve → lose two deliveries → approve → reconciled status, and doctor names the failures', async () => {
    const [emulatorPort, servicePort] = [await freePort(), await freePort()];
    const receiver = `http://127.0.0.1:${servicePort}/webhooks/persona`;
    // terminal 1
    emulate = spawn(
      process.execPath,
      [
        BIN,
        'emulate',
        '--port',
        String(emulatorPort),
        '--deliver-to',
        receiver,
        '--webhook-secret',
        'wbhsec_local_test_secret',
      ],
      { cwd: REPO_ROOT, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let printed = '';
    emulate.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    await eventually(async () => printed.includes('PERSONA_WEBHOOK_SECRET='));
    const variable = (name: string) => new RegExp(`^ {2}${name}=(\\S+)$`, 'm').exec(printed)?.[1] ?? '';
    expect(variable('PERSONA_API_URL')).toBe(`http://127.0.0.1:${emulatorPort}/api/v1`);
    expect(variable('PERSONA_API_KEY')).toMatch(/^persona_sandbox_emulator_[A-Za-z0-9_-]{24}$/);
    expect(variable('PERSONA_WEBHOOK_SECRET')).toBe('wbhsec_local_test_secret');

    // terminal 2
    const env = {
      PERSONA_API_URL: variable('PERSONA_API_URL'),
      PERSONA_API_KEY: variable('PERSONA_API_KEY'),
      PERSONA_WEBHOOK_SECRET: variable('PERSONA_WEBHOOK_SECRET'),
      ADMIN_TOKEN: 'local-admin-token-0123',
    };
    service = await startServiceProcess({
      ...env,
      PORT: String(servicePort),
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      PERSONA_RECONCILE_INTERVAL_SECONDS: '10',
      PERSONA_RECONCILE_MIN_AGE_SECONDS: '0',
    });

    // terminal 3
    const api = env.PERSONA_API_URL;
    const auth = { authorization: `Bearer ${env.PERSONA_API_KEY}` };
    const faults = await fetch(`http://127.0.0.1:${emulatorPort}/_emulator/faults`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"drop-deliveries":2}',
    });
    expect(faults.status).toBe(200);
    // Without the key, the control route refuses.
    const keyless = await fetch(`http://127.0.0.1:${emulatorPort}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"drop-deliveries":2}',
    });
    expect(keyless.status).toBe(401);
    const created = await fetch(`${api}/inquiries`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"data":{"attributes":{"reference-id":"user-1"}}}',
    });
    const inquiryId = ((await created.json()) as { data: { id: string } }).data.id;
    expect(inquiryId).toMatch(/^inq_/);
    const approved = await fetch(`${api}/inquiries/${inquiryId}/approve`, { method: 'POST', headers: auth });
    expect(approved.status).toBe(200);
    const started = Date.now();

    const kyc = await eventually(async () => {
      const response = await fetch(`${service!.url}/api/kyc/user-1`, {
        headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` },
      });
      const body = (await response.json()) as { status?: string };
      return body.status === 'approved' ? body : null;
    }, 20_000);
    expect(kyc).toMatchObject({ status: 'approved', inquiryId });
    expect(Date.now() - started).toBeLessThan(12_000); // within one 10 s interval (plus processing)
    const warnings = service
      .output()
      .stdout.split('\n')
      .filter((l) => l.includes('received through reconciliation'));
    expect(warnings).toHaveLength(2);

    // The README's terminals share the default DATABASE_URL; here the service's file is named for both.
    const doctor = await runCli(['doctor', '--url', receiver], {
      env: { ...env, DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` },
    });
    expect(doctor.stdout).toMatch(
      /warning +recent deliveries +2 deliveries to wbh_\w+ failed since .* All 2 of their events were recovered by reconciliation \(Persona's Events API\) (at|between) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
    );
    expect(doctor.stdout).toMatch(/passed +signed ping +/);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/All checks passed \(\d warnings?\)\.\n$/);
  });
});
