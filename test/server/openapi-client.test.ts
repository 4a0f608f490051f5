/**
 * The README's typed client, for real: openapi-typescript generates types from the service's own
 * /openapi.json, and the server README's `kyc-client.ts` snippet compiles against them, while a
 * misuse of the answer (a number where the decision is a string union, a field that does not exist)
 * does not — so the KYC answer is typed, not `unknown`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline } from '../../packages/persona-webhooks/src/index.js';
import { buildApp } from '../../packages/server/src/server/http/app.js';
import { createLogger } from '../../packages/server/src/server/observability/logger.js';
import { createMetrics } from '../../packages/server/src/server/observability/metrics.js';
import { MinuteCounter } from '../../packages/server/src/server/observability/minute-counter.js';
import type { ServiceStore } from '../../packages/server/src/service-state/service-state.js';
import { createSqliteServiceStore } from '../../packages/server/src/service-state/sqlite-service-store.js';
import { REPO_ROOT } from '../helpers/service-process.js';

const run = promisify(execFile);
let dir: string;
let store: ServiceStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-openapi-client-'));
  store = createSqliteServiceStore(join(dir, 'db.sqlite'));
  await store.migrate();
  const app = buildApp({
    pipeline: createPipeline({ secrets: ['wbhsec_test'], store }),
    store,
    metrics: createMetrics(store),
    logger: createLogger({ level: 'silent', pretty: false }),
    adminToken: 'openapi-client-token-0123456789',
    invalidSignatures: new MinuteCounter(Date.now()),
  });
  const doc = (await app.inject({ url: '/openapi.json' })).json();
  await app.close();
  writeFileSync(join(dir, 'persona-webhooks-api.d.ts'), astToString(await openapiTS(doc)));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
      },
    }),
  );
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The server README's `kyc-client.ts` block. */
function readmeSnippet(): string {
  const readme = readFileSync(join(REPO_ROOT, 'packages/server/README.md'), 'utf8');
  const match = /```ts\n(\/\/ kyc-client\.ts\n[\s\S]*?)```/.exec(readme);
  if (!match) throw new Error('the server README has no kyc-client.ts snippet');
  return match[1]!;
}

async function compile(source: string): Promise<string> {
  writeFileSync(join(dir, 'kyc-client.ts'), source);
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  try {
    await run(process.execPath, [tsc, '-p', dir]);
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('a client generated from /openapi.json (openapi-typescript)', () => {
  it("compiles the README's snippet, and refuses misuses of the typed answer", async () => {
    const snippet = readmeSnippet();
    expect(await compile(snippet)).toBe('');
    const misuse = await compile(
      `${snippet}\nconst asNumber: number = kyc.decision;\nconst notAField = kyc.desicion;\nexport { asNumber, notAField };\n`,
    );
    expect(misuse).toMatch(
      /kyc-client\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );
    expect(misuse).toMatch(
      /error TS2339: Property 'desicion' does not exist on type '\{ referenceId: string; decision: "approved" \| "declined" \| "needs_review" \| "pending";/,
    );
  }, 60_000);
});
