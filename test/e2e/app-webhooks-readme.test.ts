/**
 * The README's "Tell your application." walkthrough as a new user runs it: `endpoints add` against the
 * running service prints the endpoint and its secret, the README's receiving app (its `js` block, saved
 * as receiver.mjs and run with node and the printed secret), then `send inquiry.approved` — and the app
 * prints the verified decision. Only the ports differ from the README (free ones instead of 3000 and 4000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import {
  ADMIN_TOKEN,
  eventually,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const SECTION = '**Tell your application.**';
const SECRET = 'wbhsec_local_test_secret';

/** The section's code blocks, in order: [lang, body]. */
function sectionBlocks(readme: string): Array<[string, string]> {
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README has no ${SECTION} section`);
  const end = readme.indexOf('\nNext: ', start);
  return [...readme.slice(start, end).matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!]);
}

/** The README's `…` matches anything; everything else literally. */
function answerPattern(expected: string): RegExp {
  const parts = expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, 'm');
}

const dir = mkdtempSync(join(tmpdir(), 'pw-readme-app-'));
let service: ServiceProcess | undefined;
let app: ChildProcess | undefined;

afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('README: tell your application', () => {
  it('endpoints add → the receiving app with the printed secret → send inquiry.approved → the app prints the verified decision', async () => {
    const blocks = sectionBlocks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(blocks.map(([lang]) => lang)).toEqual(['sh', 'js', 'sh', 'sh']);
    const [[, add], [, receiverSource], [, runApp], [, send]] = blocks as [
      [string, string],
      [string, string],
      [string, string],
      [string, string],
    ];
    const appPort = await freePort();
    const database = `sqlite:${join(dir, 'db.sqlite')}`;
    service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: database });
    const servicePort = new URL(service.url).port;
    const env = { DATABASE_URL: database, PERSONA_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN };

    // 1. endpoints add, exactly the README's URL but for the port.
    const addLine = add.split('\n')[0]!;
    expect(addLine).toBe('npx persona-webhooks endpoints add http://127.0.0.1:4000/kyc');
    const added = await runCli(['endpoints', 'add', `http://127.0.0.1:${appPort}/kyc`], { env });
    expect(added.code, added.stderr).toBe(0);
    for (const answer of add.split('\n').filter((line) => line.startsWith('# '))) {
      expect(added.stdout).toMatch(answerPattern(answer.slice(2)));
    }
    const secret = /^secret +(whsec_\S+)$/m.exec(added.stdout)?.[1];
    expect(secret).toBeDefined();

    // 2. the README's app, saved as receiver.mjs next to a node_modules with standardwebhooks in it.
    expect(runApp.trim()).toMatch(/^WEBHOOK_SECRET=whsec_… node receiver\.mjs/);
    const appDir = join(dir, 'app');
    mkdirSync(join(appDir, 'node_modules'), { recursive: true });
    symlinkSync(
      join(REPO_ROOT, 'node_modules', 'standardwebhooks'),
      join(appDir, 'node_modules', 'standardwebhooks'),
    );
    writeFileSync(
      join(appDir, 'receiver.mjs'),
      receiverSource.replace('.listen(4000)', `.listen(${appPort})`),
    );
    app = spawn(process.execPath, ['receiver.mjs'], {
      cwd: appDir,
      env: { PATH: process.env['PATH'] ?? '', WEBHOOK_SECRET: secret! },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let printed = '';
    app.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    app.stderr?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    await eventually(async () => {
      await fetch(`http://127.0.0.1:${appPort}/kyc`, { method: 'POST', body: '{}' });
      return true;
    });

    // 3. send, as the README says.
    const sendLine = send.split('\n')[0]!;
    expect(sendLine).toBe('npx persona-webhooks send inquiry.approved --reference-id user-456');
    const sent = await runCli(
      [
        ...sendLine.replace('npx persona-webhooks ', '').split(' '),
        '--url',
        `http://127.0.0.1:${servicePort}/webhooks/persona`,
      ],
      { env },
    );
    expect(sent.stdout).toMatch(answerPattern(send.split('\n')[1]!.slice(2)));

    await eventually(async () => printed.includes('user-456 approved'), 15_000);
    expect(printed.trim()).toBe('user-456 approved');
  }, 60_000);
});
