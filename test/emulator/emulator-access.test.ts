/**
 * Who can reach the emulator: only requests addressed to a loopback name (no DNS rebinding: a page on
 * `evil.example` resolved to 127.0.0.1 is refused on every route), and only the holder of its
 * full-permission key — new and random on each start unless given — on the `/_emulator/*` control
 * routes that mint keys, record and deliver events and switch faults on.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { allowedHost } from '../../packages/server/src/emulator/allowed-host.js';
import { type Emulator, emulatorControl, startTestEmulator } from '../helpers/emulator.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** A request with a Host header of our choosing (fetch does not let one be set). */
function send(
  target: Emulator,
  options: { method?: string; path: string; host: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const url = new URL(target.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: options.host, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const CONTROL_ROUTES: ReadonlyArray<{ method: string; path: string; body?: string }> = [
  { method: 'GET', path: '/_emulator' },
  { method: 'POST', path: '/_emulator/events', body: '{"name":"inquiry.approved"}' },
  { method: 'POST', path: '/_emulator/faults', body: '{"drop-deliveries":1}' },
  { method: 'POST', path: '/_emulator/api-keys', body: '{"permissions":["webhook.read"]}' },
  { method: 'GET', path: '/_emulator/requests' },
  { method: 'GET', path: '/_emulator/deliveries' },
];

describe('Host header', () => {
  it('answers 127.0.0.1, localhost and [::1], with or without the port, on every route', async () => {
    emulator = await startTestEmulator();
    const port = new URL(emulator.url).port;
    const auth = { authorization: `Bearer ${emulator.apiKey}` };
    for (const host of [
      '127.0.0.1',
      `127.0.0.1:${port}`,
      'localhost',
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
    ]) {
      expect((await send(emulator, { path: '/api/v1/events', host, headers: auth })).status, host).toBe(200);
      expect((await send(emulator, { path: '/_emulator', host, headers: auth })).status, host).toBe(200);
    }
  });

  it('refuses any other Host with 421 before anything runs, even with the key', async () => {
    emulator = await startTestEmulator();
    const port = new URL(emulator.url).port;
    const auth = { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' };
    const before = emulator.state.events.length;
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example`,
      `10.0.0.5:${port}`,
      `127.0.0.2:${port}`,
      `[::2]:${port}`,
      `127.0.0.1:${port}@evil.example`,
    ]) {
      for (const route of [{ method: 'GET', path: '/api/v1/webhooks' }, ...CONTROL_ROUTES]) {
        const answer = await send(emulator, { ...route, host, headers: auth });
        expect(answer.status, `${host} ${route.method} ${route.path}`).toBe(421);
        expect(JSON.parse(answer.body)).toMatchObject({ errors: [{ title: 'Misdirected Request' }] });
      }
    }
    expect(emulator.state.events.length).toBe(before);
    expect(emulator.state.faults.dropDeliveries).toBe(0);
  });

  it('accepts the address it was told to listen on', () => {
    expect(allowedHost('192.168.1.20:4010', '192.168.1.20')).toBe(true);
    expect(allowedHost('[fd00::1]:4010', 'fd00::1')).toBe(true);
    expect(allowedHost('192.168.1.20:4010', '0.0.0.0')).toBe(false);
    expect(allowedHost('evil.example', '::')).toBe(false);
    expect(allowedHost(undefined)).toBe(false);
  });
});

describe('control routes need the emulator key', () => {
  it('refuses every control route without it, with a wrong one or with a limited key', async () => {
    emulator = await startTestEmulator();
    const limited = (await (
      await emulatorControl(emulator, '/_emulator/api-keys', { permissions: ['event.read'] })
    ).json()) as {
      key: string;
    };
    const host = new URL(emulator.url).host;
    // The right key without `Bearer` is no bearer token either.
    for (const authorization of [undefined, 'Bearer wrong-key', `Bearer ${limited.key}`, emulator.apiKey]) {
      for (const route of CONTROL_ROUTES) {
        const answer = await send(emulator, {
          ...route,
          host,
          headers: {
            'content-type': 'application/json',
            ...(authorization === undefined ? {} : { authorization }),
          },
        });
        expect(answer.status, `${authorization} ${route.method} ${route.path}`).toBe(401);
        expect(answer.body).toContain('full-permission key');
      }
    }
    // Spellings of the path reach the same check.
    for (const path of ['/_emulator/faults?x', '/_emulator/faults/', '/_emulator//faults']) {
      const answer = await send(emulator, { method: 'POST', path, host, body: '{"drop-deliveries":1}' });
      expect([401, 404], path).toContain(answer.status);
    }
    expect(emulator.state.faults.dropDeliveries).toBe(0);
    expect(emulator.state.apiKeys.size).toBe(2); // the full key and the one minted with it
  });

  it('opens them with the key; the key is new and random on each start unless one is given', async () => {
    emulator = await startTestEmulator();
    expect(emulator.apiKey).toMatch(/^persona_sandbox_emulator_[A-Za-z0-9_-]{24}$/);
    const set = await emulatorControl(emulator, '/_emulator/faults', { 'drop-deliveries': 1 });
    expect(set.status).toBe(200);
    expect(emulator.state.faults.dropDeliveries).toBe(1);
    const first = emulator.apiKey;
    await emulator.close();
    emulator = await startTestEmulator();
    expect(emulator.apiKey).not.toBe(first);
    await emulator.close();
    emulator = await startTestEmulator({ apiKey: 'persona_sandbox_given_key' });
    expect(emulator.apiKey).toBe('persona_sandbox_given_key');
    expect((await emulatorControl(emulator, '/_emulator')).status).toBe(200);
  });
});
