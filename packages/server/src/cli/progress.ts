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
