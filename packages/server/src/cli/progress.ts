import { SingleBar } from 'cli-progress';
import type { RebuildProgress } from 'persona-webhooks';

/** A progress bar on stderr when it is a terminal; silent otherwise (CI logs, pipes). */
export function createProgress(total: number, label: string): { tick(): void; stop(): void } {
  if (!process.stderr.isTTY || total < 20) return { tick() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(total, 0);
  return { tick: () => bar.increment(), stop: () => bar.stop() };
}

/**
 * A progress bar over a time window walked newest to oldest (the Events API's order): the share of
 * `untilMs → sinceMs` covered so far, and the events fetched. Silent when stderr is not a terminal.
 */
export function createTimeProgress(
  sinceMs: number,
  untilMs: number,
  label: string,
): { update(oldestSeenMs: number | null, fetched: number): void; stop(): void } {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const span = Math.max(1, untilMs - sinceMs);
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {fetched} events | back to {at}`,
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(span, 0, { fetched: 0, at: new Date(untilMs).toISOString() });
  return {
    update(oldestSeenMs, fetched) {
      const covered = oldestSeenMs === null ? 0 : Math.min(span, untilMs - oldestSeenMs);
      bar.update(covered, { fetched, at: new Date(oldestSeenMs ?? untilMs).toISOString() });
    },
    stop() {
      bar.update(span);
      bar.stop();
    },
  };
}

/** What each phase of the KYC facts rebuild is called on its bar. */
const REBUILD_LABELS: Record<RebuildProgress['phase'], string> = {
  facts: 'rebuilding KYC facts from stored events',
  decisions: 'deciding each user again',
};

/**
 * Progress of `store.migrate()`'s rebuild of KYC facts, one bar per phase on `stream` when it is a
 * terminal (silent otherwise); `summary()` is the line to print at the end, or null when there was
 * nothing to rebuild (a new or already rebuilt database).
 */
export function createRebuildProgress(stream: NodeJS.WriteStream = process.stderr): {
  update(progress: RebuildProgress): void;
  stop(): void;
  summary(): string | null;
} {
  const totals: Partial<Record<RebuildProgress['phase'], number>> = {};
  let bar: SingleBar | undefined;
  let phase: RebuildProgress['phase'] | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(progress) {
      totals[progress.phase] = progress.total;
      if (!stream.isTTY) return;
      if (phase !== progress.phase) {
        stop();
        phase = progress.phase;
        bar = new SingleBar({
          format: `${REBUILD_LABELS[progress.phase]} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
          stream,
          hideCursor: true,
        });
        bar.start(progress.total, progress.done);
      }
      bar?.update(progress.done);
    },
    stop,
    summary() {
      const users = totals.decisions ?? 0;
      const decided = `decided ${users} user${users === 1 ? '' : 's'} again`;
      if (totals.facts === undefined)
        return totals.decisions === undefined ? null : `${decided} (the KYC policy changed)`;
      const events = `${totals.facts} stored event${totals.facts === 1 ? '' : 's'}`;
      return `rebuilt KYC facts from ${events}; ${decided}`;
    },
  };
}
