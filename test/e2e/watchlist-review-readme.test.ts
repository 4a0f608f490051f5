/**
 * The README's "A watchlist match, and a review" walkthrough (a screening match after approval, a case
 * whose template status declines, a dismissed custom-list match), run from the README itself: every command
 * of its block through bash as written, and every answer compared with the `# …` line under it (`…`
 * stands for anything, as in the README). Only the port differs (the service's own instead of 3000), and
 * `npx persona-webhooks` runs the command under test directly.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  BIN,
  eventually,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const SECTION = '**A watchlist match, and a review.**';
const SECRET = 'wbhsec_local_test_secret';

interface Step {
  command: string;
  /** The answer the README shows under the command, if any. */
  expected: string | null;
}

/** The commands of the section's first `sh` block, each with the answer shown under it. */
function walkthroughSteps(readme: string): Step[] {
  const start = readme.indexOf(SECTION);
  if (start < 0) throw new Error(`README has no ${SECTION} section`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start))?.[1] ?? '';
  const steps: Step[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('# {')) {
      const last = steps.at(-1);
      if (!last || last.expected !== null) throw new Error(`an answer without its command: ${line}`);
      last.expected = line.slice(2);
    } else if (line.trim() !== '' && !line.startsWith('#')) {
      steps.push({ command: line, expected: null });
    }
  }
  return steps;
}

/** The README's `…` matches anything; everything else literally. */
function answerPattern(expected: string): RegExp {
  const parts = expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

function bash(command: string, env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { cwd: REPO_ROOT, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: `${stdout}${code === 0 ? '' : stderr}`.trim() });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pw-readme-watchlist-'));
let service: ServiceProcess | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('README: a watchlist match, and a review', () => {
  it('approved → screening match: needs review, and why → a case template\'s "Declined by Team 1": declined, which a later approval does not undo; a dismissed custom-list match: approved', async () => {
    const steps = walkthroughSteps(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(steps.filter((s) => s.command.includes('persona-webhooks send'))).toHaveLength(8);
    expect(steps.filter((s) => s.expected !== null)).toHaveLength(8);

    service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    });
    const port = new URL(service.url).port;
    const env = { PATH: process.env['PATH'] ?? '', PERSONA_WEBHOOK_SECRET: SECRET, ADMIN_TOKEN };
    const asRun = (command: string) =>
      command
        .replaceAll(
          'npx persona-webhooks send',
          `"${process.execPath}" "${BIN}" send --url http://127.0.0.1:${port}/webhooks/persona`,
        )
        .replaceAll('http://127.0.0.1:3000/', `http://127.0.0.1:${port}/`);

    for (const step of steps) {
      const command = asRun(step.command);
      if (step.expected === null) {
        const result = await bash(command, env);
        expect(result, step.command).toMatchObject({ code: 0, stdout: expect.stringMatching(/^200 evt_/) });
        continue;
      }
      // The worker applies an event a moment after it was acknowledged: ask again until it has.
      const pattern = answerPattern(step.expected);
      const answer = await eventually(async () => {
        const result = await bash(command, env);
        return pattern.test(result.stdout) ? result : null;
      }, 10_000).catch(async () => bash(command, env));
      expect(answer.stdout, step.command).toMatch(pattern);
    }
  }, 90_000);
});
