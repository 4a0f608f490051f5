/**
 * Compile-time proof that a real node-postgres 8.x pool, as `@types/pg` describes it, is a
 * `PostgresPool` with no cast, so users pass `new pg.Pool(…)` straight to `createPostgresStore`.
 */
import type pg from 'pg';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  PostgresPool,
  PostgresPoolClient,
} from '../../packages/persona-webhooks/src/store/postgres/driver.js';

describe('PostgreSQL driver types', () => {
  it('accepts pg.Pool and pg.PoolClient as they are', () => {
    expectTypeOf<pg.Pool>().toMatchTypeOf<PostgresPool>();
    expectTypeOf<pg.PoolClient>().toMatchTypeOf<PostgresPoolClient>();
  });

  it('is not so loose that anything passes', () => {
    expectTypeOf<pg.Client>().not.toMatchTypeOf<PostgresPoolClient>();
    expectTypeOf<{ query(text: string): Promise<unknown> }>().not.toMatchTypeOf<PostgresPool>();
  });
});
