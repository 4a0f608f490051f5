/**
 * Delivery controls against the real service and a loopback application: an attempt keeps the app's
 * answer (escaped when shown) and the headers sent (signature masked); `deliveries send-now` sends a
 * message waiting an hour for its retry at once; `deliveries recover` brings back an endpoint's dead
 * messages once the app is back; `endpoints test` sends a signed test message; `endpoints remove`
 * asks first; the API answers each in JSON with a stable code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET } from '../helpers/deliveries.js';
import { runCli } from '../helpers/run-cli.js';
import { admin, eventually, type ServiceProcess, startServiceProcess } from '../helpers/service-process.js';

let dir: string;
let databaseUrl: string;
let service: ServiceProcess;
let app: Server;
let appUrl: string;
let answer = 503;
const received: Array<{ type: string; verified: boolean }> = [];
let appSecret = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-controls-'));
  databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
  app = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let verified = false;
    try {
      new Webhook(appSecret).verify(
        raw,
        Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      );
      verified = true;
    } catch {}
    received.push({ type: (JSON.parse(raw) as { type: string }).type, verified });
    if (answer === 204) return void res.writeHead(204).end();
    res.writeHead(answer, { 'content-type': 'text/plain' }).end('app is down\u001b[31m <b>red</b>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/kyc`;
  service = await startServiceProcess({
    PERSONA_WEBHOOK_SECRET: SECRET,
    DATABASE_URL: databaseUrl,
    // Two attempts: the first failure waits an hour, the second is the last.
    PERSONA_WEBHOOKS_OUTBOUND_RETRY_DELAYS: '1h',
  });
});

afterAll(async () => {
  await service?.stop();
  await new Promise<void>((resolve) => app.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli([...args, '--database-url', databaseUrl]);

async function delivery(id: string) {
  return (await admin(service.url, `/api/deliveries/${id}`)).json as {
    status: string;
    attempts: number;
    attemptLog: Array<{
      statusCode: number | null;
      responseExcerpt: string | null;
      requestHeaders: Record<string, string> | null;
    }>;
  };
}

describe('delivery controls', () => {
  let endpointId: string;
  let messageId: string;

  it('keeps what the app answered and the headers sent', async () => {
    const added = await cli(['endpoints', 'add', appUrl]);
    expect(added.code, added.stderr).toBe(0);
    endpointId = /^endpoint (ep_\w+)$/m.exec(added.stdout)![1]!;
    appSecret = /^secret\s+(whsec_\S+)$/m.exec(added.stdout)![1]!;
    const sent = await runCli([
      'send',
      'inquiry.approved',
      '--reference-id',
      'user-1',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      SECRET,
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    messageId = await eventually(async () => {
      const list = (await admin(service.url, '/api/deliveries')).json as {
        deliveries: Array<{ id: string; attempts: number; status: string }>;
      };
      const [first] = list.deliveries;
      return first && first.attempts === 1 && first.status === 'pending' ? first.id : null;
    });
    const [attempt] = (await delivery(messageId)).attemptLog;
    expect(attempt?.statusCode).toBe(503);
    expect(attempt?.responseExcerpt).toBe('app is down\u001b[31m <b>red</b>');
    expect(attempt?.requestHeaders?.['webhook-signature']).toBe('v1,***');
    const shown = await cli(['deliveries', 'show', messageId]);
    expect(shown.stdout).toContain('< app is down\\u001b[31m <b>red</b>');
    expect(shown.stdout).not.toContain('\u001b');
    expect(shown.stdout).toContain('> webhook-signature: v1,***');
    expect(shown.stdout).not.toContain(appSecret.slice(6));
  });

  it('send-now sends a message waiting an hour for its retry at once', async () => {
    const now = await cli(['deliveries', 'send-now', messageId]);
    expect(now.code, now.stderr).toBe(0);
    // The second and last attempt fails too: dead.
    await eventually(async () => ((await delivery(messageId)).status === 'dead' ? true : null));
    const again = await admin(service.url, `/api/deliveries/${messageId}/send-now`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: 'conflict' } });
    const missing = await cli(['deliveries', 'send-now', 'msg_none']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no message msg_none (read SQLite file');
  });

  it('recover brings back the dead messages of an endpoint once the app is back', async () => {
    answer = 204;
    const bad = await admin(service.url, `/api/endpoints/${endpointId}/recover`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ since: 'yesterday' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'invalid_request' } });
    const recovered = await cli(['deliveries', 'recover', '--endpoint', endpointId, '--since', '1h']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toMatch(/^recovered 1 message\(s\)/);
    await eventually(async () => ((await delivery(messageId)).status === 'delivered' ? true : null));
    expect(received.filter((r) => r.type === 'kyc.decision_changed').every((r) => r.verified)).toBe(true);
  });

  it('endpoints test sends a signed test message; the API does too', async () => {
    const tested = await cli(['endpoints', 'test', endpointId]);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^ok: 204 in \d+ ms, webhook-id msg_test_/);
    const viaApi = await admin(service.url, `/api/endpoints/${endpointId}/test`, { method: 'POST' });
    expect(viaApi.status).toBe(200);
    expect(viaApi.json).toMatchObject({ ok: true, statusCode: 204 });
    expect(received.filter((r) => r.type === 'webhook.test')).toEqual([
      { type: 'webhook.test', verified: true },
      { type: 'webhook.test', verified: true },
    ]);
  });

  it('endpoints remove asks first (--yes without a terminal), then removes it with its messages', async () => {
    const refused = await cli(['endpoints', 'remove', endpointId]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('add --yes');
    const removed = await cli(['endpoints', 'remove', endpointId, '--yes']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe(`removed ${endpointId} and 1 message(s)\n`);
    const gone = await admin(service.url, `/api/endpoints/${endpointId}`, { method: 'DELETE' });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: { code: 'not_found' } });
  });
});
