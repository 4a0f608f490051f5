/**
 * The service state contract on both dialects: several SQLite connections on one temp file, and
 * several pools on one PostgreSQL schema, each standing for one instance of the service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe } from 'vitest';
import { createPostgresServiceState } from '../../../packages/server/src/service-state/postgres-service-state.js';
import { createSqliteServiceState } from '../../../packages/server/src/service-state/sqlite-service-state.js';
import { dropTestSchema, postgresReachable, testPool, testSchemaName } from '../../helpers/postgres.js';
import { describeServiceStateContract } from './service-state-contract.js';

const tempDirs: string[] = [];
afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describeServiceStateContract('sqlite file', async (count) => {
  const dir = await mkdtemp(join(tmpdir(), 'pw-service-state-'));
  tempDirs.push(dir);
  const states = Array.from({ length: count }, () => createSqliteServiceState(join(dir, 'db.sqlite')));
  for (const state of states) await state.migrate();
  return { states, cleanup: async () => void (await Promise.all(states.map((state) => state.close()))) };
});

const reachable = await postgresReachable();

describe.skipIf(!reachable)('on PostgreSQL', () => {
  describeServiceStateContract('postgres', async (count) => {
    // Separate pools on one schema: separate instances sharing a database.
    const schema = testSchemaName();
    const pools = Array.from({ length: count }, () => testPool({ max: 4 }));
    const states = pools.map((pool) => createPostgresServiceState(pool, schema));
    for (const state of states) await state.migrate();
    return {
      states,
      cleanup: async () => {
        await Promise.all(states.map((state) => state.close()));
        await Promise.all(pools.map((pool) => pool.end()));
        await dropTestSchema(schema);
      },
    };
  });
});
