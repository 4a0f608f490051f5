/**
 * Dashboard sign-out against the real service processes (dist/): a signed-out cookie stays refused
 * after the service restarts (SQLite), and on every instance sharing a PostgreSQL schema — the
 * revocation is in the store, not in one process's memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestSchema, postgresReachable, TEST_POSTGRES_URL, testSchemaName } from '../helpers/postgres.js';
import {
  ADMIN_TOKEN,
  eventually,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

const SECRET = 'wbhsec_session_revocation_test';
const reachable = await postgresReachable();
const dir = mkdtempSync(join(tmpdir(), 'pw-session-revocation-'));
const running: ServiceProcess[] = [];
const schemas: string[] = [];

afterAll(async () => {
  await Promise.all(running.map((service) => service.stop()));
  await Promise.all(schemas.map((schema) => dropTestSchema(schema)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, ...env });
  running.push(service);
  return service;
}

/** Signs in as the dashboard does and returns the `name=value` of the session cookie. */
async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ token: ADMIN_TOKEN }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

async function signOut(url: string, cookie: string): Promise<void> {
  const response = await fetch(`${url}/admin/session`, {
    method: 'DELETE',
    headers: { origin: url, cookie },
  });
  expect(response.status).toBe(204);
}

/** The status `/api/events` answers with the cookie. */
async function withCookie(url: string, cookie: string): Promise<number> {
  return (await fetch(`${url}/api/events`, { headers: { cookie } })).status;
}

describe('dashboard sign-out is kept in the store', { timeout: 90_000 }, () => {
  it('SQLite: a signed-out cookie is still refused after a restart; a signed-in one still works', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}` };
    let service = await start(env);
    const signedOut = await signIn(service.url);
    const signedIn = await signIn(service.url);
    expect(await withCookie(service.url, signedOut)).toBe(200);
    await signOut(service.url, signedOut);
    expect(await withCookie(service.url, signedOut)).toBe(401);

    await service.stop();
    service = await start(env);
    expect(await withCookie(service.url, signedOut)).toBe(401);
    expect(await withCookie(service.url, signedIn)).toBe(200);
    const session = await fetch(`${service.url}/admin/session`, { headers: { cookie: signedOut } });
    expect(await session.json()).toEqual({ signedIn: false });
  });

  it.skipIf(!reachable)(
    'PostgreSQL: a sign-out on one instance holds on the other, and after both restart',
    async () => {
      const schema = testSchemaName();
      schemas.push(schema);
      const env = { DATABASE_URL: TEST_POSTGRES_URL, PERSONA_WEBHOOKS_PG_SCHEMA: schema };
      let a = await start(env);
      let b = await start(env);
      const cookie = await signIn(a.url);
      expect(await withCookie(b.url, cookie)).toBe(200); // b has now seen it valid (and may cache that)
      await signOut(a.url, cookie);
      expect(await withCookie(a.url, cookie)).toBe(401);
      // b re-checks within its recheck interval (5 s).
      const started = Date.now();
      await eventually(async () => (await withCookie(b.url, cookie)) === 401, 10_000);
      expect(Date.now() - started).toBeLessThan(8_000);

      await Promise.all([a.stop(), b.stop()]);
      [a, b] = await Promise.all([start(env), start(env)]);
      expect(await withCookie(a.url, cookie)).toBe(401);
      expect(await withCookie(b.url, cookie)).toBe(401);
    },
  );
});
