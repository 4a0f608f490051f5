/**
 * The service's log stream as an operator reads it: every stdout line is JSON (a handler's console
 * output included), the start-up line says what it really binds, and a dead event's line carries the
 * handler's message with the payload's personal data redacted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedEvent } from '../helpers/deliveries.js';
import {
  eventually,
  logLines,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

let service: ServiceProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-logs-'));
  service = await startServiceProcess({
    HOST: '0.0.0.0',
    PERSONA_WEBHOOK_SECRET: 'wbhsec_service_logs_test',
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    PERSONA_WEBHOOKS_HANDLERS: join(REPO_ROOT, 'test/fixtures/handlers/console-and-throw.mjs'),
    PERSONA_WEBHOOKS_MAX_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the service log stream', () => {
  it('says it binds every interface when HOST is 0.0.0.0, and still gives a URL to reach it', () => {
    const started = logLines(service.output().stdout).find((line) =>
      String(line['msg']).startsWith('persona-webhooks listening'),
    )!;
    const port = new URL(service.url).port;
    expect(started['msg']).toBe(`persona-webhooks listening on 0.0.0.0:${port} (all interfaces)`);
    expect(started['listening']).toEqual([`0.0.0.0:${port} (all interfaces)`]);
    expect(started['url']).toBe(`http://127.0.0.1:${port}`);
  });

  it("logs a dead event with the handler's message, redacted; handler console output is JSON lines", async () => {
    const delivery = signedEvent(
      { name: 'inquiry.approved', referenceId: 'user-logs' },
      'wbhsec_service_logs_test',
    );
    const response = await fetch(`${service.url}/webhooks/persona`, {
      method: 'POST',
      body: delivery.body,
      headers: delivery.headers,
    });
    expect(response.status).toBe(200);
    const dead = await eventually(async () =>
      logLines(service.output().stdout).find((line) => line['msg'] === 'handler failed; event is dead'),
    );
    expect(dead).toMatchObject({
      eventName: 'inquiry.approved',
      error: 'handler_failed',
      errorMessage: expect.stringContaining('[Error: CRM refused [redacted] [redacted], born [redacted]]'),
    });

    const { stdout } = service.output();
    // Every line a log shipper reads parses, console output included.
    const raw = stdout.split('\n').filter((line) => line.length > 0);
    expect(raw.filter((line) => !line.startsWith('{'))).toEqual([]);
    const consoleLines = logLines(stdout).filter((line) => line['msg'] === 'handler_console');
    expect(consoleLines.map((line) => [line['level'], line['method'], line['text']])).toEqual([
      [30, 'log', 'handlers module loaded'],
      [30, 'log', `granting access for ${delivery.eventId}`],
      [50, 'error', 'CRM is down'],
    ]);
    // The payload's personal data is in no log line (the handler's own console text aside, which
    // quotes none here).
    expect(stdout).not.toMatch(/Jane|1990-01-01/);
  });
});

describe('the service log stream with the store thread on', () => {
  it('is JSON lines too: the handlers module imported in the store thread logs through the service', async () => {
    const threadDir = mkdtempSync(join(tmpdir(), 'pw-logs-thread-'));
    const threaded = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: 'wbhsec_service_logs_test',
      DATABASE_URL: `sqlite:${join(threadDir, 'db.sqlite')}`,
      PERSONA_WEBHOOKS_HANDLERS: join(REPO_ROOT, 'test/fixtures/handlers/console-and-throw.mjs'),
      PERSONA_WEBHOOKS_SQLITE_THREAD: 'on',
    });
    try {
      // Modules are per thread: the service thread and the store thread (for its kycPolicy) each import
      // the module, so its import-time line is logged twice.
      const loaded = await eventually(async () => {
        const lines = logLines(threaded.output().stdout).filter(
          (line) => line['msg'] === 'handler_console' && line['text'] === 'handlers module loaded',
        );
        return lines.length === 2 ? lines : undefined;
      });
      expect(loaded.map((line) => [line['level'], line['method']])).toEqual([
        [30, 'log'],
        [30, 'log'],
      ]);
      const raw = threaded
        .output()
        .stdout.split('\n')
        .filter((line) => line.length > 0);
      expect(raw.filter((line) => !line.startsWith('{'))).toEqual([]);
    } finally {
      await threaded.stop();
      rmSync(threadDir, { recursive: true, force: true });
    }
  });
});
