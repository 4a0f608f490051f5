/**
 * The PostgreSQL store sends its fixed statements (claim, grouped completion, decide pass, outbox
 * insert, NOTIFY) under a name, so the server parses them once per connection; `preparedStatements:
 * false` sends every statement unnamed, for poolers that cannot keep a named statement.
 */
import type pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../packages/persona-webhooks/src/postgres.js';
import type { PostgresStore } from '../../packages/persona-webhooks/src/store/postgres/postgres-store.js';
import {
  dropTestSchema,
  openTestPostgresStore,
  postgresReachable,
  type TestStoreOverrides,
  testPool,
  testSchemaName,
} from '../helpers/postgres.js';
import { applyUpdates, inquiryUpdate } from './store-fixtures.js';

const reachable = await postgresReachable();

/** Named statements the store's connection holds: with `max: 1`, every call ran on that one connection. */
async function preparedOnTheConnection(pool: pg.Pool): Promise<{ name: string; statement: string }[]> {
  const result = await pool.query(
    "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'persona\\_webhooks\\_%' ORDER BY name",
  );
  return result.rows as { name: string; statement: string }[];
}

describe.skipIf(!reachable)('PostgreSQL named statements', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  const open = async (overrides: TestStoreOverrides = {}) => {
    const opened = await openTestPostgresStore({ max: 1, ...overrides });
    cleanups.push(opened.cleanup);
    return opened;
  };

  /** One event through ingest, claim and a completion whose facts decide a user. */
  const decideOneUser = async (store: PostgresStore, n: number) => {
    const completed = await applyUpdates(store, [
      inquiryUpdate({
        eventId: `evt_named_${n}`,
        inquiryId: `inq_named_${n}`,
        referenceId: `user-${n}`,
        status: 'approved',
      }),
    ]);
    expect(completed).toBe(true);
    // Reads wait for the decide pass, so the user's decision is there once this answers.
    expect((await store.getKyc(`user-${n}`))?.decision).toBeDefined();
  };

  it('parses the claim, the completion and the decide pass once, then runs them by name', async () => {
    const { store, pool } = await open();
    await decideOneUser(store, 1);
    const named = await preparedOnTheConnection(pool);
    const texts = named.map((row) => row.statement);
    expect(texts.some((text) => text.includes('lease_token') && text.includes('claimed'))).toBe(true);
    expect(texts.some((text) => /\bmarked AS \(/.test(text))).toBe(true);
    expect(texts.some((text) => text.includes('FOR UPDATE SKIP LOCKED'))).toBe(true);

    // A second event reuses them: the same statements, no new ones.
    await decideOneUser(store, 2);
    expect((await preparedOnTheConnection(pool)).map((row) => row.name)).toEqual(
      named.map((row) => row.name),
    );
  });

  it('names nothing with preparedStatements: false', async () => {
    const { store, pool } = await open({ preparedStatements: false });
    await decideOneUser(store, 3);
    expect(await preparedOnTheConnection(pool)).toEqual([]);
  });

  it('gives two stores on two schemas of one connection their own names', async () => {
    const pool = testPool({ max: 1 });
    const schemas = [testSchemaName(), testSchemaName()];
    const stores = schemas.map((schema) => createPostgresStore({ pool, schema }));
    cleanups.push(async () => {
      await Promise.all(stores.map((store) => store.close()));
      await pool.end();
      await Promise.all(schemas.map(dropTestSchema));
    });
    for (const store of stores) await store.migrate();
    await decideOneUser(stores[0]!, 4);
    await decideOneUser(stores[1]!, 5);
    const named = await preparedOnTheConnection(pool);
    const claimOf = (schema: string) =>
      named.filter(
        (row) => row.statement.includes(`"${schema}".events`) && row.statement.includes('claimed'),
      );
    const [first, second] = schemas.map(claimOf);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(first![0]!.name).not.toBe(second![0]!.name);
  });
});
