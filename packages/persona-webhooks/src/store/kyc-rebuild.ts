/**
 * The dialect-free half of rebuilding KYC facts for events stored before the store kept them: which
 * events qualify, how a stored body becomes fact updates, and the progress report. Each store walks
 * its done events in processing order, in batches that each move a persisted cursor, so a rebuild cut
 * short by a crash continues where it stopped.
 */
import { parseEvent } from '../events/parse-event.js';
import { projectKyc } from '../kyc/projection.js';
import type { ProjectionUpdate } from '../kyc/projection-update.js';

/** Events per rebuild transaction. */
export const REBUILD_BATCH_SIZE = 500;

/** Where a rebuild stands, for a progress bar. */
export interface RebuildProgress {
  /** `facts`: re-projecting stored bodies; `decisions`: deciding each user once. */
  phase: 'facts' | 'decisions';
  done: number;
  total: number;
}

/** Options of `Store.migrate`. */
export interface MigrateOptions {
  /** Called as a rebuild of KYC facts from stored events moves (after an upgrade to version 6/5). */
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * The events whose facts the rebuild adds (inquiries and verifications were kept before), as a
 * condition on the events table under `alias`.
 */
export function rebuildEventsCondition(alias: string): string {
  const name = `${alias}.name`;
  return `${alias}.status = 'done' AND (${name} LIKE 'case.%' OR ${name} LIKE 'report/%' OR ${name} LIKE 'account.%')`;
}

/**
 * The fact updates of one stored body: cases, reports and accounts only (never a scrub: a redacted
 * event's body is already gone, and one still here must not scrub others again). A body that no
 * longer parses adds nothing: the worker had the same verdict when it processed it.
 */
export function rebuildUpdates(body: Uint8Array | null): ProjectionUpdate[] {
  if (body === null) return [];
  const parsed = parseEvent(body);
  if (!parsed.ok) return [];
  return projectKyc(parsed.event).filter(
    (u) => u.kind === 'case' || u.kind === 'report' || u.kind === 'account',
  );
}
