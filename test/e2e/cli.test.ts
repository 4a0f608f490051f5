/**
 * The CLI as a user runs it: send, verify, events, kyc (decision, reasons, cases, reports), migrate
 * (with the rebuild of KYC facts from an older schema), and the missing-secret message.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonaEvent } from '../../packages/persona-webhooks/src/events/event.js';
import { parseEvent } from '../../packages/persona-webhooks/src/events/parse-event.js';
import { sign } from '../../packages/persona-webhooks/src/signature/node-crypto.js';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import { applySqliteMigrations } from '../../packages/persona-webhooks/src/store/sqlite/migrate.js';
import { SQLITE_MIGRATIONS } from '../../packages/persona-webhooks/src/store/sqlite/migrations.js';
import { SECRET } from '../helpers/deliveries.js';
import { startRecordingReceiver } from '../helpers/recording-receiver.js';
import { runCli } from '../helpers/run-cli.js';
import {
  ADMIN_TOKEN,
  admin,
  BIN,
  eventually,
  logLines,
  REPO_ROOT,
  type ServiceProcess,
  startServiceProcess,
} from '../helpers/service-process.js';

let service: ServiceProcess;
let dir: string;
let databaseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-cli-'));
  databaseUrl = `sqlite:${join(dir, 'db.sqlite')}`;
  service = await startServiceProcess({ PERSONA_WEBHOOK_SECRET: SECRET, DATABASE_URL: databaseUrl });
});

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `persona-webhooks send <args>` to the test service, signed with its secret. */
const sendSigned = (args: readonly string[]) =>
  runCli(['send', ...args, '--url', `${service.url}/webhooks/persona`, '--secret', SECRET]);

/** Runs each `send <args>` against a recording receiver; the events it received, parsed, in order. */
async function sentEvents(commands: readonly string[][]): Promise<PersonaEvent[]> {
  const receiver = await startRecordingReceiver();
  try {
    for (const args of commands) {
      const result = await runCli(['send', ...args, '--url', receiver.url, '--secret', SECRET]);
      expect(result.code, args[0]).toBe(0);
    }
    return receiver.requests.map((request) => {
      const parsed = parseEvent(request.body);
      if (!parsed.ok) throw new Error('unparseable');
      return parsed.event;
    });
  } finally {
    await receiver.close();
  }
}

describe('persona-webhooks send', () => {
  it('sends a signed, realistic event that the server accepts', async () => {
    const result = await sendSigned(['inquiry.approved', '--reference-id', 'cli-user']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^200 evt_\w+ inquiry\.approved \{"received":true\}/);
  });

  it('sends many events concurrently and summarises', async () => {
    const result = await sendSigned(['inquiry.completed', '--count', '60', '--concurrency', '8']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sent 60 events — 200: 60/);
  });

  it('sends case and report events with the ids, resolution and account status given', async () => {
    const objects = (
      await sentEvents([
        [
          'case.resolved',
          '--case-id',
          'case_cli',
          '--inquiry-id',
          'inq_cli',
          '--account-id',
          'act_cli',
          '--resolution',
          'Declined',
        ],
        ['report/watchlist.matched', '--report-id', 'rep_cli', '--inquiry-id', 'inq_cli'],
        ['account.status-updated', '--account-id', 'act_cli', '--account-status', 'Suspended'],
      ])
    ).map((event) => event.object);
    expect(objects[0]).toMatchObject({
      type: 'case',
      id: 'case_cli',
      attributes: { status: 'resolved', resolution: 'Declined' },
      relationships: { inquiries: { data: [{ id: 'inq_cli' }] }, accounts: { data: [{ id: 'act_cli' }] } },
    });
    expect(objects[1]).toMatchObject({
      type: 'report/watchlist',
      id: 'rep_cli',
      attributes: { hasMatch: true, isContinuous: true },
      relationships: { inquiry: { data: { id: 'inq_cli' } } },
    });
    expect(objects[2]).toMatchObject({
      type: 'account',
      id: 'act_cli',
      attributes: { accountStatus: 'Suspended' },
    });
  });

  it("sends a transaction and a case template's status with the transaction, report and resolved-at given", async () => {
    const events = await sentEvents([
      [
        'transaction.status-updated',
        '--transaction-id',
        'txn_cli',
        '--reference-id',
        'cli-txn-user',
        '--account-id',
        'act_cli',
        '--inquiry-id',
        'inq_cli',
        '--status',
        'needs_review',
      ],
      [
        'case.status-updated',
        '--case-id',
        'case_cli_2',
        '--report-id',
        'rep_cli',
        '--transaction-id',
        'txn_cli',
        '--status',
        'Declined by Team 1',
        '--resolved-at',
        '2026-03-04T05:06:07.000Z',
      ],
      ['report/custom-list.dismissed', '--report-id', 'rep_cli', '--transaction-id', 'txn_cli'],
    ]);
    expect(events[0]).toMatchObject({
      referenceId: 'cli-txn-user',
      object: {
        type: 'transaction',
        id: 'txn_cli',
        attributes: { status: 'needs_review' },
        relationships: { account: { data: { id: 'act_cli' } }, inquiries: { data: [{ id: 'inq_cli' }] } },
      },
    });
    expect(events[1]!.object).toMatchObject({
      type: 'case',
      attributes: { status: 'Declined by Team 1', resolution: null, resolvedAt: '2026-03-04T05:06:07.000Z' },
      relationships: {
        reports: { data: [{ id: 'rep_cli' }] },
        transactions: { data: [{ type: 'transaction', id: 'txn_cli' }] },
      },
    });
    expect(events[2]!.object).toMatchObject({
      type: 'report/custom-list',
      attributes: { hasMatch: false },
      relationships: { transaction: { data: { id: 'txn_cli' } } },
    });
    const bad = await runCli([
      'send',
      'case.status-updated',
      '--resolved-at',
      'yesterday',
      '--secret',
      SECRET,
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--resolved-at must be an ISO 8601 time');
  });

  it('exits 1 and prints the refusal when the secret is wrong', async () => {
    const result = await runCli([
      'send',
      'inquiry.approved',
      '--url',
      `${service.url}/webhooks/persona`,
      '--secret',
      'wbhsec_wrong',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('401');
    expect(result.stdout).toContain('no_matching_signature');
  });
});

describe('persona-webhooks verify', () => {
  const body = '{"data":{"type":"event","id":"evt_1","attributes":{"completion-time":40.172463903}}}';
  const bodyFile = () => {
    const file = join(dir, 'body.json');
    writeFileSync(file, body);
    return file;
  };

  it('exits 0 for a valid signature (body from a file or stdin)', async () => {
    const header = sign({ secret: SECRET, body });
    const fromFile = await runCli([
      'verify',
      '--secret',
      SECRET,
      '--header',
      header,
      '--body-file',
      bodyFile(),
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('Valid');
    const fromStdin = await runCli(['verify', '--secret', SECRET, '--header', header], { input: body });
    expect(fromStdin.code).toBe(0);
  });

  const diagnoses: Array<[string, () => string[], string | undefined, RegExp]> = [
    [
      'a wrong secret',
      () => ['--header', sign({ secret: 'wbhsec_other', body })],
      body,
      /no_matching_signature[\s\S]*wrong secret[\s\S]*re-serialised/,
    ],
    ['a header copied wrong', () => ['--header', 'v1=abc'], body, /malformed_header[\s\S]*copied wrong/],
    [
      'a stale timestamp',
      () => ['--header', sign({ secret: SECRET, body, timestamp: 1_600_000_000 })],
      body,
      /timestamp_out_of_tolerance[\s\S]*old/,
    ],
    [
      'a trailing newline',
      () => ['--header', sign({ secret: SECRET, body })],
      `${body}\n`,
      /trailing newline/,
    ],
    [
      'a body changed by a JSON parser',
      () => ['--header', sign({ secret: SECRET, body })],
      JSON.stringify(JSON.parse(body), null, 2),
      /re-serialised/,
    ],
    ['an empty header', () => ['--header', ''], body, /missing_header/],
  ];
  for (const [label, args, input, expected] of diagnoses) {
    it(`exits 1 and explains ${label}`, async () => {
      const result = await runCli(['verify', '--secret', SECRET, ...args()], { input });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).not.toContain(SECRET);
    });
  }
});

describe('persona-webhooks events, kyc, migrate', () => {
  it('shows the KYC status and the events of a user, and replays', async () => {
    await sendSigned(['inquiry.declined', '--reference-id', 'cli-kyc']);
    const kyc = await eventually(async () => {
      const result = await runCli(['kyc', 'cli-kyc', '--json', '--database-url', databaseUrl]);
      return result.code === 0 ? (JSON.parse(result.stdout) as { status: string }) : null;
    });
    expect(kyc.status).toBe('declined');

    const list = await runCli([
      'events',
      'list',
      '--name',
      'inquiry.declined',
      '--json',
      '--database-url',
      databaseUrl,
    ]);
    const events = (JSON.parse(list.stdout) as { events: Array<{ id: string }> }).events;
    expect(events.length).toBe(1);
    const show = await runCli(['events', 'show', events[0]!.id, '--json', '--database-url', databaseUrl]);
    expect(JSON.parse(show.stdout)).toMatchObject({ id: events[0]!.id, name: 'inquiry.declined' });

    await eventually(async () =>
      (
        await runCli(['events', 'show', events[0]!.id, '--json', '--database-url', databaseUrl])
      ).stdout.includes('"done"'),
    );
    // A done event is replayed only when confirmed: without a terminal, --yes.
    const unconfirmed = await runCli(['events', 'replay', events[0]!.id, '--database-url', databaseUrl]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('was already processed');
    expect(unconfirmed.stderr).toContain('add --yes to go ahead');
    const replay = await runCli(['events', 'replay', events[0]!.id, '--yes', '--database-url', databaseUrl]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toBe(`replayed ${events[0]!.id}\n`);
    // The replay restarts the attempt counter; the table still numbers both runs apart.
    const replayed = await eventually(async () => {
      const text = (await runCli(['events', 'show', events[0]!.id, '--database-url', databaseUrl])).stdout;
      return /^2\s+replay 1\s+1\s+\S+ \S+ UTC\s+\S+ ms\s+done/m.test(text) ? text : null;
    });
    expect(replayed).toMatch(/^#\s+RUN\s+ATTEMPT\s+STARTED\s+TOOK\s+OUTCOME\s+ERROR$/m);
    expect(replayed).toMatch(/^1\s+first\s+1\s+/m);
    expect(replayed).toMatch(/^source\s+webhook$/m);
    const unknown = await runCli(['events', 'replay', 'evt_unknown', '--database-url', databaseUrl]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      `not replayed: no event evt_unknown (read SQLite file ${databaseUrl.slice('sqlite:'.length)})\n`,
    );
    const replayDead = await runCli(['events', 'replay', '--dead', '--database-url', databaseUrl]);
    expect(replayDead.stdout).toMatch(/replayed \d+ dead event/);
  });

  it('prints clean tables with UTC times that name their zone, and JSON with --json', async () => {
    const createdAt = '2026-01-15T12:00:00.000Z';
    const sent = await sendSigned([
      'inquiry.approved',
      '--reference-id',
      'cli-table',
      '--inquiry-id',
      'inq_cli_table',
      '--created-at',
      createdAt,
    ]);
    const eventId = sent.stdout.split(' ')[1]!;
    await eventually(
      async () => (await runCli(['kyc', 'cli-table', '--database-url', databaseUrl])).code === 0,
    );
    // A terminal in Tokyo still reads UTC: the dashboard, the CLI and the logs use one clock.
    const tz = { TZ: 'Asia/Tokyo', DATABASE_URL: databaseUrl };

    const list = await runCli(['events', 'list', '--name', 'inquiry.approved', '--limit', '500'], {
      env: tz,
    });
    const [header, ...lines] = list.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^RECEIVED\s+STATUS\s+NAME\s+ID\s+ATTEMPTS\s+USER\s+LAST ERROR$/);
    const row = lines.find((line) => line.includes(eventId))!;
    expect(row).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+done\s+inquiry\.approved\s+evt_\S+\s+1\s+cli-table\s+-$/,
    );
    expect(list.stdout).not.toMatch(/['"│┌]|\(index\)/);
    const received = (await runCli(['events', 'show', eventId, '--json'], { env: tz })).stdout;
    const receivedAt = (JSON.parse(received) as { receivedAt: string }).receivedAt;
    expect(row.startsWith(`${receivedAt.slice(0, 19).replace('T', ' ')} UTC`)).toBe(true);

    const show = await runCli(['events', 'show', eventId], { env: tz });
    expect(show.stdout).toMatch(/^created\s+2026-01-15 12:00:00 UTC$/m);
    expect(show.stdout).toMatch(/^user\s+cli-table$/m);

    const kyc = await runCli(['kyc', 'cli-table'], { env: tz });
    expect(kyc.stdout).toMatch(
      /^cli-table: approved\nnewest inquiry inq_cli_table: approved \(updated \d{4}-/,
    );
    expect(kyc.stdout).toMatch(/^inq_cli_table\s+approved\s+2026-01-15 12:00:00 UTC/m);

    for (const args of [
      ['events', 'list', '--json'],
      ['events', 'show', eventId, '--json'],
      ['kyc', 'cli-table', '--json'],
    ]) {
      const result = await runCli(args, { env: tz });
      expect(result.code, args.join(' ')).toBe(0);
      expect(() => JSON.parse(result.stdout), args.join(' ')).not.toThrow();
    }
  });

  it('events show prints the payload (personal data) only with --payload', async () => {
    const sent = await sendSigned(['inquiry.approved', '--reference-id', 'cli-payload']);
    const eventId = sent.stdout.split(' ')[1]!;
    const env = { DATABASE_URL: databaseUrl };
    // The built event names "Jane Example", born 1990-01-01.
    for (const args of [[], ['--json']]) {
      const plain = await runCli(['events', 'show', eventId, ...args], { env });
      expect(plain.code, args.join(' ')).toBe(0);
      expect(plain.stdout).toContain(eventId);
      expect(plain.stdout).not.toContain('Jane');
      expect(plain.stdout).not.toContain('1990-01-01');
    }
    const hint = await runCli(['events', 'show', eventId], { env });
    expect(hint.stdout).toContain('payload: stored, not shown (personal data): add --payload to print it');
    const json = JSON.parse((await runCli(['events', 'show', eventId, '--json'], { env })).stdout);
    expect(json).not.toHaveProperty('payload');
    expect(json).toMatchObject({ id: eventId, payloadState: 'present' });

    const shown = await runCli(['events', 'show', eventId, '--payload'], { env });
    expect(shown.stdout).toContain('payload:\n{');
    expect(shown.stdout).toContain('Jane');
    const shownJson = JSON.parse(
      (await runCli(['events', 'show', eventId, '--json', '--payload'], { env })).stdout,
    );
    expect(JSON.stringify(shownJson.payload)).toContain('1990-01-01');
  });

  it('prints the decision, each reason with its event, the cases and the report matches', async () => {
    const send = async (name: string, createdAt: string) => {
      const sent = await sendSigned([
        name,
        // Reports and cases carry no reference-id: the inquiry ties them to the user.
        ...(name.startsWith('inquiry.') ? ['--reference-id', 'cli-watch'] : []),
        '--inquiry-id',
        'inq_cli_watch',
        '--created-at',
        createdAt,
      ]);
      expect(sent.code).toBe(0);
      return sent.stdout.split(' ')[1]!;
    };
    await send('inquiry.approved', '2026-01-15T12:00:00.000Z');
    const matched = await send('report/watchlist.matched', '2026-01-15T13:00:00.000Z');
    const opened = await send('case.created', '2026-01-15T14:00:00.000Z');
    const env = { TZ: 'UTC', DATABASE_URL: databaseUrl };
    const kyc = await eventually(async () => {
      const result = await runCli(['kyc', 'cli-watch'], { env });
      return result.stdout.includes('CASE') && result.stdout.includes('REPORT') ? result : null;
    });
    expect(kyc.code).toBe(0);
    const out = kyc.stdout;
    // The decision first; the newest inquiry's status (today's `status`) under it.
    expect(out).toMatch(/^cli-watch: needs_review\nnewest inquiry inq_cli_watch: approved \(updated /);
    expect(out).toMatch(
      new RegExp(
        `^  case_open: A case is open \\(open\\)\\. \\(case case_\\w+ open; event ${opened} 2026-01-15 14:00:00 UTC\\)$`,
        'm',
      ),
    );
    expect(out).toMatch(
      new RegExp(
        `^  watchlist_match: The watchlist report \\(continuous monitoring\\) found a match that no clean run, dismissal or resolved case has cleared; if this report type is informational, add "watchlist" to informationalReportTypes\\. \\(report rep_\\w+ ready; event ${matched} 2026-01-15 13:00:00 UTC\\)$`,
        'm',
      ),
    );
    expect(out).toMatch(
      /^ {2}inquiry_approved: The newest decided inquiry was approved\. \(inquiry inq_cli_watch approved; event evt_\w+ 2026-01-15 12:00:00 UTC\)$/m,
    );
    expect(out).toMatch(/^CASE\s+STATUS\s+RESOLUTION\s+SINCE\s+EVENT$/m);
    expect(out).toMatch(new RegExp(`^case_\\w+\\s+open\\s+-\\s+2026-01-15 14:00:00 UTC\\s+${opened}$`, 'm'));
    expect(out).toMatch(/^REPORT\s+TYPE\s+MATCH\s+MONITORED\s+STATUS\s+SINCE\s+EVENT$/m);
    expect(out).toMatch(
      new RegExp(
        `^rep_\\w+\\s+watchlist\\s+yes\\s+yes\\s+ready\\s+2026-01-15 13:00:00 UTC\\s+${matched}$`,
        'm',
      ),
    );
    // --json is the admin API's view.
    const json = JSON.parse((await runCli(['kyc', 'cli-watch', '--json'], { env })).stdout);
    expect(json).toMatchObject({ decision: 'needs_review', status: 'approved' });
    expect(json.reasons.map((r: { code: string }) => r.code)).toEqual([
      'case_open',
      'watchlist_match',
      'inquiry_approved',
    ]);
  });

  it('prints a user known only by their account and an open case, without an inquiry table', async () => {
    for (const args of [
      ['account.status-updated', '--reference-id', 'cli-early', '--account-id', 'act_cli_early'],
      ['case.created', '--account-id', 'act_cli_early', '--case-id', 'case_cli_early'],
    ]) {
      const sent = await sendSigned(args);
      expect(sent.code).toBe(0);
    }
    const env = { TZ: 'UTC', DATABASE_URL: databaseUrl };
    const kyc = await eventually(async () => {
      const result = await runCli(['kyc', 'cli-early'], { env });
      return result.stdout.includes('case_open') ? result : null;
    });
    expect(kyc.code).toBe(0);
    expect(kyc.stdout).toMatch(/^cli-early: needs_review\nno inquiry yet\n\nwhy:\n {2}case_open: /);
    expect(kyc.stdout).toMatch(
      /^ {2}no_inquiry: No inquiry or transaction has been seen for this user\. \(inquiry; no event\)$/m,
    );
    expect(kyc.stdout).not.toContain('INQUIRY');
    expect(kyc.stdout).toMatch(/^case_cli_early\s+open\s+/m);
  });

  it('migrates a new database and reports unknown users', async () => {
    const fresh = `sqlite:${join(dir, 'fresh.sqlite')}`;
    expect((await runCli(['migrate', '--database-url', fresh])).stdout).toContain(
      'migrations applied (sqlite)',
    );
    const missing = await runCli(['kyc', 'nobody', '--database-url', fresh]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `no user with reference id nobody: no inquiry, account, transaction, case or report of theirs is stored (read SQLite file ${fresh.slice('sqlite:'.length)})\n`,
    );
  });
});

/**
 * A database as a release before the KYC decision left it (schema version 5): one user's approved
 * inquiry already projected, and a watchlist match and a case stored and processed, whose facts that
 * release did not keep.
 */
function oldSchemaDatabase(path: string): { matched: string; opened: string } {
  const db = new Database(path);
  applySqliteMigrations(
    db,
    SQLITE_MIGRATIONS.filter((m) => m.version <= 5),
  );
  const t0 = Date.UTC(2026, 0, 15, 12);
  const events = [
    buildEvent({
      name: 'inquiry.approved',
      referenceId: 'cli-old',
      inquiryId: 'inq_old',
      accountId: 'act_old',
      createdAt: new Date(t0),
    }),
    buildEvent({
      name: 'report/watchlist.matched',
      inquiryId: 'inq_old',
      reportId: 'rep_old',
      createdAt: new Date(t0 + 3600_000),
    }),
    buildEvent({
      name: 'case.created',
      accountId: 'act_old',
      caseId: 'case_old',
      createdAt: new Date(t0 + 7200_000),
    }),
  ];
  const insert = db.prepare(`INSERT INTO events (id, name, created_at, created_at_ms, object_type, object_id,
    inquiry_id, account_id, reference_id, received_at_ms, status, run_at_ms, attempts, processed_at_ms)
    VALUES (@id, @name, @created_at, @created_at_ms, @object_type, @object_id, @inquiry_id, @account_id,
    @reference_id, @created_at_ms, 'done', @created_at_ms, 1, @created_at_ms)`);
  const body = db.prepare('INSERT INTO event_bodies (event_id, body) VALUES (?, ?)');
  for (const event of events) {
    const object = JSON.parse(event.body).data.attributes.payload.data;
    insert.run({
      id: event.eventId,
      name: event.name,
      created_at: event.createdAt,
      created_at_ms: Date.parse(event.createdAt),
      object_type: object.type,
      object_id: object.id,
      inquiry_id: event.name.startsWith('inquiry.')
        ? object.id
        : (object.relationships.inquiry?.data?.id ?? null),
      account_id: null,
      reference_id: event.name.startsWith('inquiry.') ? 'cli-old' : null,
    });
    body.run(event.eventId, Buffer.from(event.body));
  }
  db.prepare(`INSERT INTO inquiries (inquiry_id, reference_id, account_id, status, status_at_ms, status_event_id,
    inquiry_created_at_ms, updated_at_ms) VALUES ('inq_old', 'cli-old', 'act_old', 'approved', ?, ?, ?, ?)`).run(
    t0,
    events[0]!.eventId,
    t0,
    t0,
  );
  db.close();
  return { matched: events[1]!.eventId, opened: events[2]!.eventId };
}

describe('persona-webhooks migrate from an older schema', () => {
  it('rebuilds the facts of stored events and prints a final line when stdout is no terminal', async () => {
    const path = join(dir, 'old.sqlite');
    const { matched, opened } = oldSchemaDatabase(path);
    const url = `sqlite:${path}`;
    // Read-only tools refuse the old schema until it is migrated.
    expect((await runCli(['kyc', 'cli-old', '--database-url', url])).stderr).toContain(
      'run `persona-webhooks migrate`',
    );

    const migrated = await runCli(['migrate', '--database-url', url]);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toBe(
      'migrations applied (sqlite)\nrebuilt KYC facts from 3 stored events; decided 1 user again\n',
    );
    expect(migrated.stderr).toBe(''); // no bar: stderr is no terminal either

    const kyc = JSON.parse((await runCli(['kyc', 'cli-old', '--json', '--database-url', url])).stdout);
    expect(kyc).toMatchObject({ status: 'approved', decision: 'needs_review' });
    expect(kyc.reasons.slice(0, 2)).toMatchObject([
      { code: 'case_open', id: 'case_old', eventId: opened },
      { code: 'watchlist_match', id: 'rep_old', eventId: matched },
    ]);
    // Nothing left to rebuild: a second run says only that the migrations are applied.
    expect((await runCli(['migrate', '--database-url', url])).stdout).toBe('migrations applied (sqlite)\n');
  });

  // With the store thread on, the rebuild runs in that thread and its progress comes back as messages.
  it.each(['off', 'on'])(
    'is rebuilt by the service at start too, saying so in its log (store thread %s)',
    async (thread) => {
      const path = join(dir, `old-serve-${thread}.sqlite`);
      const { matched } = oldSchemaDatabase(path);
      const started = await startServiceProcess({
        PERSONA_WEBHOOK_SECRET: SECRET,
        DATABASE_URL: `sqlite:${path}`,
        PERSONA_WEBHOOKS_SQLITE_THREAD: thread,
      });
      try {
        const lines = logLines(started.output().stdout);
        expect(lines).toContainEqual(expect.objectContaining({ phase: 'facts', total: 3 }));
        expect(lines).toContainEqual(expect.objectContaining({ msg: 'KYC facts rebuilt', done: 3 }));
        expect(lines).toContainEqual(expect.objectContaining({ msg: 'KYC decisions rebuilt', done: 1 }));
        const kyc = await admin(started.url, '/api/kyc/cli-old');
        expect(kyc.json).toMatchObject({ decision: 'needs_review' });
        expect(JSON.stringify(kyc.json['reasons'])).toContain(matched);
      } finally {
        await started.stop();
      }
    },
  );

  it("shows a progress bar on a terminal, and decides with the handlers module's kycPolicy", async () => {
    const path = join(dir, 'old-tty.sqlite');
    oldSchemaDatabase(path);
    // `script` gives the command a pseudo-terminal, as a person running it would have.
    const command = [process.execPath, BIN, 'migrate', '--database-url', `sqlite:${path}`].join(' ');
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env['PATH'] ?? '',
            PERSONA_WEBHOOKS_HANDLERS: join(REPO_ROOT, 'test/fixtures/handlers/decline-everyone.mjs'),
          },
        },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
    expect(output).toMatch(/rebuilding KYC facts from stored events \[[=█]+\] 100% \| 3\/3/);
    expect(output).toMatch(/deciding each user again \[[=█]+\] 100% \| 1\/1/);
    expect(output).toContain('rebuilt KYC facts from 3 stored events; decided 1 user again');
    const kyc = JSON.parse(
      (await runCli(['kyc', 'cli-old', '--json', '--database-url', `sqlite:${path}`])).stdout,
    );
    expect(kyc).toMatchObject({ decision: 'declined', reasons: [{ code: 'house_rule' }] });
  });
});

describe('persona-webhooks tokens', () => {
  it('creates an app token that reads a status but cannot list or replay events, lists it and revokes it', async () => {
    await sendSigned(['inquiry.approved', '--reference-id', 'cli-app']);
    const created = await runCli([
      'tokens',
      'create',
      '--name',
      'billing backend',
      '--database-url',
      databaseUrl,
    ]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^pwa_[A-Za-z0-9_-]{43}$/);
    const id = /created app token (apt_\S+) \(billing backend\)/.exec(created.stderr)?.[1];
    expect(id).toBeTruthy();
    expect(created.stderr).not.toContain(token);

    const as = (bearer: string, path: string, method = 'GET') =>
      fetch(`${service.url}${path}`, { method, headers: { authorization: `Bearer ${bearer}` } });
    const status = await eventually(async () => {
      const response = await as(token, '/api/kyc/cli-app');
      return response.status === 200 ? ((await response.json()) as { status: string }) : null;
    });
    expect(status.status).toBe('approved');

    const list = await as(token, '/api/events');
    expect(list.status).toBe(403);
    expect(await list.json()).toMatchObject({ error: { code: 'forbidden' } });
    const events = (await (await as(ADMIN_TOKEN, '/api/events?q=cli-app')).json()) as {
      events: Array<{ id: string }>;
    };
    const replay = await as(token, `/api/events/${events.events[0]!.id}/replay`, 'POST');
    expect(replay.status).toBe(403);
    expect(await replay.json()).toMatchObject({ error: { code: 'forbidden' } });

    const table = await runCli(['tokens', 'list', '--database-url', databaseUrl]);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+CREATED\s+LAST USED\s+REVOKED$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${id}\\s+billing backend\\s+\\d{4}-\\d\\d-\\d\\d \\S+ UTC\\s+\\d{4}-.*-$`, 'm'),
    );
    expect(table.stdout).not.toContain(token);

    const revoked = await runCli(['tokens', 'revoke', id!, '--database-url', databaseUrl]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked ${id}\n` });
    expect((await as(token, '/api/kyc/cli-app')).status).toBe(401);
    const again = await runCli(['tokens', 'revoke', id!, '--database-url', databaseUrl]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already revoked');
    const listed = JSON.parse(
      (await runCli(['tokens', 'list', '--json', '--database-url', databaseUrl])).stdout,
    ) as { tokens: Array<{ id: string; name: string; lastUsedAt: string | null; revokedAt: string | null }> };
    expect(listed.tokens).toEqual([
      expect.objectContaining({
        id,
        name: 'billing backend',
        lastUsedAt: expect.any(String),
        revokedAt: expect.any(String),
      }),
    ]);
    expect(service.output().stdout + service.output().stderr).not.toContain(token);
  });

  it('refuses an empty name and an unknown id', async () => {
    expect((await runCli(['tokens', 'create', '--name', ' ', '--database-url', databaseUrl])).code).toBe(1);
    const unknown = await runCli(['tokens', 'revoke', 'apt_nope', '--database-url', databaseUrl]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      `no app token apt_nope (read SQLite file ${databaseUrl.slice('sqlite:'.length)})\n`,
    );
  });

  it('serves its OpenAPI description without a token', async () => {
    const response = await fetch(`${service.url}/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.paths).toHaveProperty('/api/kyc/{id}');
  });
});

describe('persona-webhooks serve configuration', () => {
  it('exits non-zero without a secret, saying where to find it', async () => {
    const result = await runCli(['serve'], {
      env: { PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'x.sqlite')}` },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PERSONA_WEBHOOK_SECRET');
    expect(result.stderr).toContain('Dashboard → Webhooks');
  });

  it('rejects an invalid setting with a message naming it', async () => {
    const result = await runCli(['serve'], { env: { PERSONA_WEBHOOK_SECRET: SECRET, PORT: 'abc' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PORT must be a whole number');
  });

  it('prints a generated admin token once when ADMIN_TOKEN is unset', async () => {
    const generated = await startServiceProcess({
      PERSONA_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: `sqlite:${join(dir, 'token.sqlite')}`,
      ADMIN_TOKEN: '',
    });
    try {
      const match = await eventually(async () =>
        /generated one for this run:\s+(\S+)/.exec(generated.output().stderr),
      );
      expect(match?.[1]).toBeTruthy();
      const response = await fetch(`${generated.url}/api/events`, {
        headers: { authorization: `Bearer ${match![1]}` },
      });
      expect(response.status).toBe(200);
      expect(generated.output().stdout).not.toContain(match![1]!);
    } finally {
      await generated.stop();
    }
  });
});
