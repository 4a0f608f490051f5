/**
 * The library as users get it: the packed tarball installed into fresh projects (see global-setup.ts).
 * It must add one package and no install script, load every entry point in Node, type-check in a
 * consumer with `skipLibCheck: false` under both module resolutions, and the README's snippets must
 * compile and answer a signed delivery as written.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sign } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { createSqliteFileStore } from '../../packages/server/src/sqlite-file-store.js';
import { freePort } from '../helpers/free-port.js';
import { ENV, installedPackages, REPO_ROOT } from './projects.js';
import { readmeConfigFile, readmeSnippets } from './readme-snippets.js';

const run = promisify(execFile);
const libraryOnly = process.env[ENV.libraryOnly] ?? '';
const consumer = process.env[ENV.consumer] ?? '';
const SECRET = 'wbhsec_package_test_secret';

describe('persona-webhooks installed from its tarball', () => {
  it('adds exactly one package, with no dependencies and no install script', async () => {
    expect(await installedPackages(libraryOnly)).toEqual([
      join(libraryOnly, 'node_modules', 'persona-webhooks'),
    ]);
    const manifest = JSON.parse(
      await readFile(join(libraryOnly, 'node_modules', 'persona-webhooks', 'package.json'), 'utf8'),
    ) as { dependencies?: object; scripts?: Record<string, string> };
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) {
      expect(manifest.scripts?.[hook], hook).toBeUndefined();
    }
    const log = await readFile(join(libraryOnly, 'install.log'), 'utf8');
    expect(log).not.toMatch(/EBADENGINE|install-scripts|gyp/);
    const { stdout } = await run('du', ['-sk', join(libraryOnly, 'node_modules')]);
    console.log(`library-only consumer: node_modules ${stdout.split('\t')[0]} KiB, 1 package`);
  });

  it('loads every entry point of its exports map in Node (ESM), without any framework or driver installed', async () => {
    const manifest = JSON.parse(
      await readFile(join(libraryOnly, 'node_modules', 'persona-webhooks', 'package.json'), 'utf8'),
    ) as { exports: Record<string, unknown> };
    const entries = Object.keys(manifest.exports)
      .filter((key) => key !== './package.json')
      .map((key) => `persona-webhooks${key.slice(1)}`);
    expect(entries).toEqual(expect.arrayContaining(['persona-webhooks', 'persona-webhooks/web']));
    const script = `for (const entry of ${JSON.stringify(entries)}) {
      const m = await import(entry);
      if (typeof m.PersonaWebhookError !== 'function' && entry !== 'persona-webhooks/testing') throw new Error(entry + ' lacks the error classes');
      console.log(entry, Object.keys(m).length);
    }`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: libraryOnly,
    });
    expect(stdout.trim().split('\n')).toHaveLength(entries.length);
  });

  it.each(['nodenext', 'bundler'] as const)(
    'type-checks a consumer of every entry point with skipLibCheck: false (moduleResolution %s)',
    async (resolution) => {
      const dir = join(consumer, `types-${resolution}`);
      await run('mkdir', ['-p', dir]);
      await writeFile(join(dir, 'consumer.ts'), CONSUMER_SOURCE);
      await writeFile(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            target: 'ES2022',
            types: ['node'],
            ...(resolution === 'nodenext'
              ? { module: 'nodenext', moduleResolution: 'nodenext' }
              : { module: 'esnext', moduleResolution: 'bundler' }),
          },
          files: ['consumer.ts'],
        }),
      );
      const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
      const result = await run(process.execPath, [tsc, '-p', dir], { cwd: consumer }).catch(
        (error: { stdout: string }) => ({ stdout: error.stdout, failed: true }),
      );
      expect(result.stdout).toBe('');
    },
  );
});

describe("the library README's snippets, as written", () => {
  const readmePath = join(REPO_ROOT, 'packages', 'persona-webhooks', 'README.md');
  const snippets = readmeSnippets(readmePath);

  it("has the Express, Fastify, Hono, test, durable and decision snippets, and they compile with the README's tsconfig.json", async () => {
    expect(snippets.map((s) => s.file)).toEqual([
      'express.ts',
      'fastify.ts',
      'hono.ts',
      'webhooks.test.ts',
      'durable.ts',
      'decision.ts',
    ]);
    const dir = join(consumer, 'snippets');
    await run('mkdir', ['-p', dir]);
    for (const snippet of snippets) await writeFile(join(dir, snippet.file), snippet.source);
    const tsconfig = readmeConfigFile(readmePath, 'tsconfig.json');
    // The documented config checks the library's own declarations too (skipLibCheck stays off).
    expect(tsconfig).toContain('"strict": true');
    expect(tsconfig).not.toContain('skipLibCheck');
    await writeFile(join(dir, 'tsconfig.json'), tsconfig);
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', dir], { cwd: consumer }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  });

  it.each(['express', 'fastify', 'hono', 'durable'])(
    '%s.ts answers a signed inquiry.approved with 200 and runs its handler',
    async (name) => {
      const port = await freePort();
      const child = spawn(process.execPath, [join(consumer, 'snippets', 'out', `${name}.js`)], {
        cwd: join(consumer, 'snippets'),
        env: { PATH: process.env['PATH'] ?? '', PORT: String(port), PERSONA_WEBHOOK_SECRET: SECRET },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const output = collect(child);
        const referenceId = `user-${name}`;
        const { body } = buildEvent({ name: 'inquiry.approved', referenceId });
        const response = await postUntilListening(`http://127.0.0.1:${port}/webhooks/persona`, body);
        expect(response.status, output()).toBe(200);
        expect(await response.json()).toEqual({ received: true });
        await expect.poll(output, { timeout: 10_000 }).toContain(`approved ${referenceId}`);
        if (name === 'durable') {
          // The snippet's own database, read through the store: the worker applied the KYC projection.
          const store = createSqliteFileStore(join(consumer, 'snippets', 'persona-events.db'));
          try {
            await expect
              .poll(async () => (await store.getKyc(referenceId))?.status, { timeout: 10_000 })
              .toBe('approved');
          } finally {
            await store.close();
          }
        }
      } finally {
        child.kill('SIGTERM');
      }
    },
  );

  it('webhooks.test.ts passes under node --test, as the README runs it', async () => {
    const result = await run(process.execPath, ['--test', 'out/webhooks.test.js'], {
      cwd: join(consumer, 'snippets'),
    }).catch((error: { stdout: string }) => error);
    expect(result.stdout).toMatch(/# pass 1\n/);
    expect(result.stdout).toMatch(/# fail 0\n/);
  });
});

function collect(child: ChildProcess): () => string {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

async function postUntilListening(url: string, body: string): Promise<Response> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'persona-signature': sign({ secret: SECRET, body }) },
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Uses every entry point and the types users need, so a missing export or a broken .d.ts fails tsc. */
const CONSUMER_SOURCE = `
import {
  createDispatcher, createPipeline, createWorker, HandlerFailedError, PersonaWebhookError, startRetention,
  StoreUnavailableError, unknownEvent, verifySignature,
  type EventFor, type InquiryObject, type KycView, type PipelineOptions, type Store, type Worker,
  type WorkerOptions,
} from 'persona-webhooks';
import { createNodeMiddleware, InvalidSignatureError } from 'persona-webhooks/express';
import { createNodeMiddleware as nodeMiddleware } from 'persona-webhooks/node';
import personaWebhooks, { type FastifyPersonaWebhooksOptions } from 'persona-webhooks/fastify';
import { createWebHandler, verifySignatureWeb, PayloadTooLargeError } from 'persona-webhooks/web';
import { createSqliteStore, type SqliteDatabase } from 'persona-webhooks/sqlite';
import { createPostgresStore } from 'persona-webhooks/postgres';
import { buildEvent, sign } from 'persona-webhooks/testing';
import Database from 'better-sqlite3';

const webhooks = createDispatcher();
webhooks.on('inquiry.approved', (event: EventFor<'inquiry.approved'>) => {
  const inquiry: InquiryObject = event.object;
  return inquiry.attributes.referenceId;
});
webhooks.on(unknownEvent('some.new-event'), (event) => event.name);
// @ts-expect-error a misspelt event name does not compile
webhooks.on('inquiry.aproved', () => undefined);
const options: PipelineOptions = { secrets: 'wbhsec_x', dispatcher: webhooks };
createNodeMiddleware(options);
nodeMiddleware(createPipeline(options));
createWebHandler(options);
const fastifyOptions: FastifyPersonaWebhooksOptions = { ...options, path: '/webhooks/persona' };
void personaWebhooks;
void fastifyOptions;
const database: SqliteDatabase = new Database(':memory:');
const store: Store = createSqliteStore({ database });
// @ts-expect-error a store and a dispatcher together is a type error
createPipeline({ secrets: 'wbhsec_x', store, dispatcher: webhooks });
const workerOptions: WorkerOptions = { store, dispatcher: webhooks };
const worker: Worker = createWorker(workerOptions);
startRetention({ store }).stop();
void worker;
const view: Promise<KycView | null> = store.getKyc('user-1');
void view;
void createPostgresStore;
const { body } = buildEvent({ name: 'inquiry.approved' });
verifySignature({ body, header: sign({ secret: 'wbhsec_x', body }), secrets: 'wbhsec_x' });
void verifySignatureWeb;
for (const error of [new StoreUnavailableError(), new PayloadTooLargeError(1), new InvalidSignatureError('x', 'y')]) {
  const base: PersonaWebhookError = error;
  void base.code;
}
void HandlerFailedError;
`;
