import { SingleBar } from 'cli-progress';

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
