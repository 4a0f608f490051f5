import { describe, expect, it } from 'vitest';
import {
  EventRejectedError,
  InvalidCursorError,
  SchemaTooNewError,
  StoreUnavailableError,
} from '../../packages/persona-webhooks/src/errors.js';
import { receiveError, transferError } from '../../packages/server/src/sqlite-thread/transferred-error.js';

/** What crosses the thread boundary: a structured clone of the packed error. */
const acrossThreads = (error: unknown) => receiveError(structuredClone(transferError(error)));

describe('errors from the SQLite store thread', () => {
  it('arrive as the same library class, with code, status and the answer they map to', () => {
    const cause = Object.assign(new Error('disk I/O error at row 7'), { code: 'SQLITE_IOERR' });
    const unavailable = acrossThreads(new StoreUnavailableError('The SQLite event store failed.', { cause }));
    expect(unavailable).toBeInstanceOf(StoreUnavailableError);
    expect(unavailable).toMatchObject({
      code: 'store_unavailable',
      status: 503,
      message: 'The SQLite event store failed.',
    });
    expect((unavailable as StoreUnavailableError).toResponse().status).toBe(503);
    // The cause keeps its class and code only; its message (which could quote data) stays behind.
    expect(unavailable.cause).toEqual({ name: 'Error', code: 'SQLITE_IOERR' });

    const rejected = acrossThreads(
      new EventRejectedError(Object.assign(new Error('x'), { code: 'SQLITE_TOOBIG' })),
    );
    expect(rejected).toBeInstanceOf(EventRejectedError);
    expect(rejected).toMatchObject({ code: 'event_rejected' });

    const tooNew = acrossThreads(new SchemaTooNewError(9, 5));
    expect(tooNew).toBeInstanceOf(SchemaTooNewError);
    expect(tooNew.message).toBe(new SchemaTooNewError(9, 5).message);

    expect(acrossThreads(new InvalidCursorError())).toBeInstanceOf(InvalidCursorError);
  });

  it('keeps built-in classes and turns anything else into a plain Error with its message', () => {
    expect(acrossThreads(new TypeError('limit must be a positive integer'))).toBeInstanceOf(TypeError);
    const odd = acrossThreads('a string was thrown');
    expect(odd).toBeInstanceOf(Error);
    expect(odd.message).toBe('a string was thrown');
  });
});
