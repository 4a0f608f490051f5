/**
 * The real service on SQLite when the disk misbehaves under it: a full file system (a small tmpfs,
 * mounted for the test) and the database file deleted while it runs. Whatever happens, no `200` is
 * given for an event that is not durably stored, `/readyz` tells the load balancer, and a full disk
 * recovers by itself once space is freed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, signedEvent } from '../helpers/deliveries.js';
import { admin, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

async function deliver(
  service: ServiceProcess,
  eventId?: string,
): Promise<{ status: number; eventId: string }> {
  const delivery = signedEvent({ name: 'inquiry.approved', ...(eventId ? { eventId } : {}) });
  const response = await fetch(`${service.url}/webhooks/persona`, {
    method: 'POST',
    body: delivery.body,
    headers: delivery.headers,
  });
  await response.arrayBuffer();
  return { status: response.status, eventId: delivery.eventId };
}

const readyStatus = async (service: ServiceProcess) => (await fetch(`${service.url}/readyz`)).status;

/** Mounts a tmpfs of `size`; returns null (with the reason) where this machine cannot mount. */
function mountTmpfs(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
  }
}

describe('a full disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-full-'));
  const cannotMount = mountTmpfs(dir, '3m');
  if (cannotMount) {
    // Only where mounting is impossible (an unprivileged developer machine); CI runs as root and must run it.
    if (process.env['CI'] === 'true') throw new Error(`cannot mount a tmpfs in CI: ${cannotMount}`);
    console.warn(`skipping the full-disk test: cannot mount a tmpfs (${cannotMount})`);
  }
  let service: ServiceProcess;

  beforeAll(async () => {
    if (cannotMount) return;
    service = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    });
  });

  afterAll(async () => {
    await service?.stop();
    if (!cannotMount) execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(cannotMount !== null)(
    'answers 503 and turns /readyz red when writes fail, then recovers by itself, and processes every acknowledged event',
    async () => {
      const acknowledged: string[] = [];
      for (let i = 0; i < 5; i++) acknowledged.push((await deliver(service)).eventId);

      // Fill the file system: write 64 KiB chunks into a filler file until there is no room left.
      const filler = join(dir, 'filler');
      const chunk = Buffer.alloc(64 * 1024, 1);
      let filled = Buffer.alloc(0);
      for (;;) {
        try {
          filled = Buffer.concat([filled, chunk]);
          writeFileSync(filler, filled);
        } catch {
          break;
        }
      }

      let refused = 0;
      for (let i = 0; i < 400 && refused < 3; i++) {
        const { status, eventId } = await deliver(service);
        if (status === 200) acknowledged.push(eventId);
        else {
          expect(status).toBe(503);
          refused++;
        }
      }
      expect(refused).toBe(3);
      expect(await readyStatus(service)).toBe(503);

      await rm(filler);
      await expect.poll(() => readyStatus(service), { timeout: 10_000 }).toBe(200);
      const after = await deliver(service);
      expect(after.status).toBe(200);
      acknowledged.push(after.eventId);

      for (const eventId of acknowledged) {
        await expect
          .poll(async () => (await admin(service.url, `/api/events/${eventId}`)).json['status'], {
            timeout: 20_000,
          })
          .toBe('done');
      }
    },
    60_000,
  );
});

describe('the database file deleted under the running service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pw-deleted-'));
  let service: ServiceProcess;
  const databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;

  beforeAll(async () => {
    service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl });
  });

  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never answers 200 for an event written into the deleted file, and says it is not ready', async () => {
    expect((await deliver(service)).status).toBe(200);
    await rm(join(dir, 'db.sqlite'));
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await deliver(service)).status);
    expect(new Set(statuses)).toEqual(new Set([503]));
    expect(await readyStatus(service)).toBe(503);
  });
});
