/**
 * The README's quick start, literally: `npm start` with only a secret set, `send` against it, then read
 * the user's KYC status from the API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { eventually, REPO_ROOT } from '../helpers/service-process.js';

describe('README quick start', () => {
  it('npm start → send → /api/kyc', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-quick-'));
    const secret = 'wbhsec_quickstart_example';
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    const child = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PERSONA_WEBHOOK_SECRET: secret,
        PORT: port,
        DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.resume();
    try {
      const base = `http://127.0.0.1:${port}`;
      await eventually(async () => (await fetch(`${base}/readyz`)).ok, 60_000);
      const token = await eventually(async () => /generated one for this run:\s+(\S+)/.exec(stderr)?.[1]);

      const sent = await runCli([
        'send',
        'inquiry.approved',
        '--url',
        `${base}/webhooks/persona`,
        '--secret',
        secret,
        '--reference-id',
        'user-123',
      ]);
      expect(sent.code).toBe(0);

      const kyc = await eventually(async () => {
        const response = await fetch(`${base}/api/kyc/user-123`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as { status?: string };
        return body.status === 'approved' ? body : null;
      });
      expect(kyc).toMatchObject({ referenceId: 'user-123', status: 'approved' });
    } finally {
      // npm start runs a shell and node under it: signal the whole process group.
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
