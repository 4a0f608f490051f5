import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, installProject, packWorkspaces } from './projects.js';

/**
 * Packs both packages and installs them into three fresh projects, once for the whole package run:
 * - library-only: just the library tarball, as someone who wants the Express middleware installs it;
 * - service: both tarballs (the service depends on the library's exact version), scripts on, so
 *   better-sqlite3 builds as it does for users;
 * - consumer: the library with the frameworks and drivers the README's snippets use, to compile and
 *   run them as written. better-sqlite3 comes from the service project's build (a local folder), so
 *   its native build runs once.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'persona-webhooks-packages-'));
  const tarballs = await packWorkspaces(root);

  const libraryOnly = join(root, 'library-only');
  const service = join(root, 'service');
  // The library-only install runs while the service's native build does: one waits on the disk and
  // the registry, the other on the compiler.
  const [libraryLog, serviceLog] = await Promise.all([
    installProject(libraryOnly, [tarballs.library]),
    installProject(service, [tarballs.library, tarballs.server]),
  ]);
  await writeFile(join(libraryOnly, 'install.log'), libraryLog);
  await writeFile(join(service, 'install.log'), serviceLog);

  const consumer = join(root, 'consumer');
  await installProject(consumer, [
    tarballs.library,
    join(service, 'node_modules', 'better-sqlite3'),
    'express@5',
    'fastify@5',
    'hono@4',
    '@hono/node-server@2',
    'typescript@5.9',
    '@types/node@20',
    '@types/express@5',
    '@types/better-sqlite3@7',
  ]);

  process.env[ENV.libraryOnly] = libraryOnly;
  process.env[ENV.service] = service;
  process.env[ENV.consumer] = consumer;
  process.env[ENV.bin] = join(
    service,
    'node_modules',
    'persona-webhooks-server',
    'bin',
    'persona-webhooks.js',
  );
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}
