/**
 * Secrets at rest as a user meets them: `endpoints add` with PERSONA_WEBHOOKS_SECRETS_KEYS writes no
 * secret in clear; `serve` without the key refuses to start and names the setting; a malformed key is
 * refused without being echoed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

let dir: string;
let file: string;
const KEYS = `k1:${randomBytes(32).toString('base64')}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-sealed-cli-'));
  file = join(dir, 'db.sqlite');
  expect((await runCli(['migrate', '--database-url', `sqlite:${file}`])).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = () => Buffer.concat([file, `${file}-wal`].filter(existsSync).map((path) => readFileSync(path)));

describe('secrets at rest from the command line', () => {
  it('endpoints add seals the secret it prints; serve without the key names the setting', async () => {
    const added = await runCli(
      ['endpoints', 'add', 'http://127.0.0.1:9/kyc', '--database-url', `sqlite:${file}`],
      {
        env: { PERSONA_WEBHOOKS_SECRETS_KEYS: KEYS },
      },
    );
    expect(added.code).toBe(0);
    const secret = /secret\s+(whsec_\S+)/.exec(added.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(bytes().includes(secret!.slice('whsec_'.length))).toBe(false);

    const env = {
      PERSONA_WEBHOOK_SECRET: 'wbhsec_test',
      DATABASE_URL: `sqlite:${file}`,
      PORT: '0',
      HOST: '127.0.0.1',
    };
    const refused = await runCli(['serve'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PERSONA_WEBHOOKS_SECRETS_KEYS is not set');

    const malformed = await runCli(['serve'], {
      env: { ...env, PERSONA_WEBHOOKS_SECRETS_KEYS: 'k1:c2hvcnQ=' },
    });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('PERSONA_WEBHOOKS_SECRETS_KEYS must be kid:key pairs');
    expect(malformed.stderr).not.toContain('c2hvcnQ=');
  });
});
