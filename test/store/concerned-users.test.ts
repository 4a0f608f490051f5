/**
 * Which users a changed object concerns: the inverse of whose facts it is, kind by kind. An account
 * that many users' inquiries name (Persona's docs sample replayed, or one business account) concerns
 * all of them, but a change to one of those inquiries concerns its own user only: deciding every user
 * of the account on each inquiry event made ingest 20× slower in `npm run bench`.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { PLAIN_KYC_TABLES } from '../../packages/persona-webhooks/src/store/facts/kyc-tables.js';
import { concernedUsersSql } from '../../packages/persona-webhooks/src/store/facts/ownership-sql.js';
import { SQLITE_MIGRATIONS } from '../../packages/persona-webhooks/src/store/sqlite/migrations.js';

function database() {
  const db = new Database(':memory:');
  for (const migration of SQLITE_MIGRATIONS) db.exec(migration.sql);
  const inquiry =
    db.prepare(`INSERT INTO inquiries (inquiry_id, reference_id, account_id, status, status_at_ms,
    status_event_id, updated_at_ms) VALUES (?, ?, 'act_shared', 'approved', 1, 'evt', 1)`);
  const link = db.prepare('INSERT INTO kyc_links VALUES (?, ?, ?, ?)');
  const both = (a: string, aKind: string, b: string, bKind: string) => {
    link.run(a, b, aKind, bKind);
    link.run(b, a, bKind, aKind);
  };
  for (const n of [1, 2, 3]) {
    inquiry.run(`inq_${n}`, `user-${n}`);
    both(`inq_${n}`, 'inquiry', 'act_shared', 'account');
  }
  db.prepare(`INSERT INTO transactions (transaction_id, reference_id, status, status_at_ms, status_event_id,
    updated_at_ms) VALUES ('txn_9', 'user-9', 'approved', 1, 'evt', 1)`).run();
  both('txn_9', 'transaction', 'inq_1', 'inquiry');
  both('rep_1', 'report', 'act_shared', 'account');
  both('case_1', 'case', 'rep_1', 'report');
  return db;
}

const SQL = concernedUsersSql(
  PLAIN_KYC_TABLES,
  "SELECT DISTINCT value ->> '$.id', value ->> '$.kind', value ->> '$.origin' FROM json_each(@objects)",
  'sqlite',
);

/** Each user with the origins (here: the objects' positions) that reach it. */
function reached(db: Database.Database, ...objects: { id: string; kind: string }[]): Map<string, number[]> {
  const rows = db
    .prepare(SQL)
    .all({ objects: JSON.stringify(objects.map((object, origin) => ({ ...object, origin }))) }) as {
    reference_id: string;
    origin: number;
  }[];
  const origins = new Map<string, number[]>();
  for (const row of rows)
    origins.set(row.reference_id, [...(origins.get(row.reference_id) ?? []), row.origin]);
  return origins;
}

function concerned(db: Database.Database, ...objects: { id: string; kind: string }[]): string[] {
  return [...reached(db, ...objects).keys()].sort();
}

describe('the users a changed object concerns', () => {
  const db = database();

  it('an inquiry: its own user, and the users of the transactions it belongs to, not its account’s others', () => {
    expect(concerned(db, { id: 'inq_2', kind: 'inquiry' })).toEqual(['user-2']);
    expect(concerned(db, { id: 'inq_1', kind: 'inquiry' })).toEqual(['user-1', 'user-9']);
  });

  it('an account: every user whose inquiry or transaction names it', () => {
    expect(concerned(db, { id: 'act_shared', kind: 'account' })).toEqual(['user-1', 'user-2', 'user-3']);
  });

  it('a report through its account, and a case through its report', () => {
    expect(concerned(db, { id: 'rep_1', kind: 'report' })).toEqual(['user-1', 'user-2', 'user-3']);
    expect(concerned(db, { id: 'case_1', kind: 'case' })).toEqual(['user-1', 'user-2', 'user-3']);
  });

  it('tells which of several changed objects reaches each user (a batch finds them in one statement)', () => {
    const origins = reached(
      db,
      { id: 'inq_2', kind: 'inquiry' },
      { id: 'case_unlinked', kind: 'case' },
      { id: 'rep_1', kind: 'report' },
    );
    expect(Object.fromEntries([...origins].map(([user, o]) => [user, o.sort()]))).toEqual({
      'user-1': [2],
      'user-2': [0, 2],
      'user-3': [2],
    });
  });

  it('an object nothing links to a user concerns nobody', () => {
    expect(concerned(db, { id: 'case_unlinked', kind: 'case' })).toEqual([]);
  });
});
