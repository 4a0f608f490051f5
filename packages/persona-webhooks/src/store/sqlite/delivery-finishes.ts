/**
 * The SQLite store's delivery outcomes, grouped: attempts that end while the event loop is busy (a
 * sender with many messages in flight, a batch of answers arriving together) record their outcomes in
 * ONE transaction instead of one each. A busy outbox spends most of its store time on these commits,
 * so sharing them is what lets it keep up with ingest. Each caller still learns its own result (false:
 * its lease was lost) once the transaction committed, so nothing about a single finish changes.
 */

import { GroupCommit } from '../group-commit.js';
import type { FinishRequest } from '../outbox/sqlite-outbox-claims.js';
import type { SqliteAccess } from './sqlite-access.js';
import { isDatabaseUnavailable, toStoreError } from './store-error.js';

/** Outcomes committed together, as many as `maxBatchSize` per transaction. */
export function finishGroupCommit(
  access: SqliteAccess,
  maxBatchSize: number,
): GroupCommit<FinishRequest, boolean> {
  return new GroupCommit<FinishRequest, boolean>({
    maxBatchSize,
    commit: (requests) => access.write(0, (c) => c.outbox.finishDeliveries(requests)),
    // An outcome the database refuses (not an outage) fails alone: its lease runs out and it is sent again.
    mayBeItemError: (error) => !isDatabaseUnavailable(error),
    mapError: toStoreError,
  });
}
