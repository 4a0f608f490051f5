/**
 * The outage mapping of the PostgreSQL store, over the errors node-postgres really raises (see
 * store-error.ts): these become StoreUnavailableError (503, Persona retries), everything else stays a
 * bug; and the mapped message carries a code, never the driver's message, which can quote data.
 */
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../packages/persona-webhooks/src/errors.js';
import {
  asUnavailable,
  isConnectionLoss,
  isUnavailable,
  toStoreError,
} from '../../packages/persona-webhooks/src/store/postgres/store-error.js';

/** What pg's DatabaseError looks like: the server's message and its SQLSTATE. */
function serverError(code: string, message = 'server said something'): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

describe('PostgreSQL store errors', () => {
  it.each([
    ['a refused connection', socketError('ECONNREFUSED')],
    ['a reset connection', socketError('ECONNRESET')],
    ['an unknown host', socketError('ENOTFOUND')],
    ['admin shutdown', serverError('57P01', 'terminating connection due to administrator command')],
    ['a connection exception', serverError('08006')],
    ['pg: socket closed under a client', new Error('Connection terminated unexpectedly')],
    ['pg: a client destroyed mid-query', new Error('Connection terminated')],
    [
      'pg-pool: no connection within connectionTimeoutMillis',
      new Error('timeout exceeded when trying to connect'),
    ],
    [
      'pg-pool: connect timed out',
      new Error('Connection terminated due to connection timeout', { cause: new Error('timeout expired') }),
    ],
    ['pg: a broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['every address refused', new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')])],
    ['a wrapped socket error', new Error('wrapper', { cause: socketError('ETIMEDOUT') })],
  ])('%s is a lost connection and means unavailable', (_label, error) => {
    expect(isConnectionLoss(error)).toBe(true);
    expect(isUnavailable(error)).toBe(true);
    expect(toStoreError(error)).toBeInstanceOf(StoreUnavailableError);
  });

  it.each([
    ['statement timeout', '57014'],
    ['deadlock', '40P01'],
    ['serialization failure', '40001'],
    ['too many connections', '53300'],
    ['read-only standby', '25006'],
  ])('%s means unavailable, but the connection is fine', (_label, code) => {
    expect(isUnavailable(serverError(code))).toBe(true);
    expect(isConnectionLoss(serverError(code))).toBe(false);
  });

  it.each([
    ['a unique violation', serverError('23505')],
    ['a syntax error', serverError('42601')],
    ['a bug in our code', new TypeError('x is not a function')],
    [
      'a message that merely mentions termination',
      new Error('Connection terminated unexpectedly, said the handler'),
    ],
  ])('%s is a bug, rethrown unchanged', (_label, error) => {
    expect(isUnavailable(error)).toBe(false);
    expect(isConnectionLoss(error)).toBe(false);
    expect(toStoreError(error)).toBe(error);
  });

  it('names the code, never the server message, which may quote a row', () => {
    const error = serverError('57P01', 'Key (id)=(evt_secret_payload_bit) already exists');
    const mapped = toStoreError(error);
    expect(mapped).toBeInstanceOf(StoreUnavailableError);
    expect((mapped as Error).message).toContain('57P01');
    expect((mapped as Error).message).not.toContain('secret');
    expect((mapped as Error).cause).toBe(error);
  });

  it('an ingest failure of any kind is a 503 for Persona to retry', () => {
    expect(asUnavailable(serverError('23505', 'secret'))).toMatchObject({ status: 503 });
    expect(asUnavailable(serverError('23505', 'secret')).message).not.toContain('secret');
  });
});
