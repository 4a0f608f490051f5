/** An outage message says what it means for the operation: a failed read never claims "nothing was written". */
import { describe, expect, it } from 'vitest';
import { toStoreError as postgresStoreError } from '../../packages/persona-webhooks/src/store/postgres/store-error.js';
import { toStoreError as sqliteStoreError } from '../../packages/persona-webhooks/src/store/sqlite/store-error.js';

const outages = {
  sqlite: [sqliteStoreError, Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' })],
  postgres: [postgresStoreError, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
} as const;

describe.each(Object.entries(outages))('%s outage messages', (_dialect, [toStoreError, outage]) => {
  it('say nothing was written for a write, and nothing could be read for a read', () => {
    const write = toStoreError(outage, 'write') as Error;
    const read = toStoreError(outage, 'read') as Error;
    expect(write).toMatchObject({ code: 'store_unavailable' });
    expect(write.message).toContain('nothing was written');
    expect(read).toMatchObject({ code: 'store_unavailable' });
    expect(read.message).toContain('nothing could be read');
    expect(read.message).not.toContain('written');
  });
});
