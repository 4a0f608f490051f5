/**
 * The dialect-free half of rebuilding KYC facts for events stored before the store kept them: which
 * events qualify, how a stored body becomes fact updates, and the progress report. Each store walks
 * its done events in processing order, in batches that each move a persisted cursor, so a rebuild cut
 * short by a crash continues where it stopped.
 */
import { parseEvent } from '../../events/parse-event.js';
import { projectKyc } from '../../kyc/projection.js';
import type { ProjectionUpdate } from '../../kyc/projection-update.js';

/** Events per rebuild transaction. */
export const REBUILD_BATCH_SIZE = 500;

/** Where a rebuild stands, for a progress bar. */
export interface RebuildProgress {
  /** `facts`: re-projecting stored bodies; `decisions`: deciding each user again. */
  phase: 'facts' | 'decisions';
  done: number;
  total: number;
}

/** Options of `Store.migrate`. */
export interface MigrateOptions {
  /**
   * Called as a rebuild of KYC facts from stored events moves (after an upgrade), and as every user
   * is decided again after the policy changed.
   */
  onProgress?: (progress: RebuildProgress) => void;
  /**
   * Decide every user again even if the policy's fingerprint did not change (a custom policy whose
   * behaviour changed without its source text changing).
   */
  redecide?: boolean;
}

/**
 * The events whose facts the rebuild re-projects: every done event of an object the decision reads, as
 * a condition on the events table under `alias`.
 */
export function rebuildEventsCondition(alias: string): string {
  const type = `${alias}.object_type`;
  return `${alias}.status = 'done' AND (${type} IN ('inquiry', 'transaction', 'case', 'account') OR ${type} LIKE 'report/%')`;
}

/**
 * The fact updates of one stored body (never a scrub: a redacted event's body is already gone, and
 * one still here must not scrub others again; never a verification, which the decision does not read).
 * Every upsert is newest-wins and links are only added, so applying an event twice changes nothing. A
 * body that no longer parses adds nothing: the worker had the same verdict when it processed it.
 */
export function rebuildUpdates(body: Uint8Array | null): ProjectionUpdate[] {
  if (body === null) return [];
  const parsed = parseEvent(body);
  if (!parsed.ok) return [];
  return projectKyc(parsed.event).filter((u) => u.kind !== 'scrub' && u.kind !== 'verification');
}

/** Users per re-decision transaction. */
export const REDECIDE_BATCH_SIZE = 500;

/** The stored policy state: what every decision was made under, and a re-decision under way. */
export interface PolicyState {
  fingerprint: string | null;
  redecide_fingerprint: string | null;
  redecide_after: string;
}

/**
 * Whether every user must be decided again under `fingerprint`, and from where: null when decisions
 * already follow it (and nothing forces a new pass); `''` to start over; a reference id to resume after.
 */
export function redecideStart(state: PolicyState, fingerprint: string, force: boolean): string | null {
  if (force) return '';
  if (state.redecide_fingerprint === fingerprint) return state.redecide_after;
  if (state.fingerprint === fingerprint && state.redecide_fingerprint === null) return null;
  return '';
}
