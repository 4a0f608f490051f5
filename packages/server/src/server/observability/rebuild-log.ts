/**
 * What the service logs while it rebuilds KYC facts at start (after an upgrade nobody ran
 * `persona-webhooks migrate` for) or decides every user again (the policy changed): a large inbox takes
 * a while before the service listens, and the log says why, and when it is done. Two lines per phase,
 * counts only.
 */
import type { RebuildProgress } from 'persona-webhooks';
import type { Logger } from './logger.js';

/** An `onMigrateProgress` that logs each phase's start and end. */
export function logRebuildProgress(logger: Logger): (progress: RebuildProgress) => void {
  const started = new Set<RebuildProgress['phase']>();
  const finished = new Set<RebuildProgress['phase']>();
  return ({ phase, done, total }) => {
    if (!started.has(phase)) {
      started.add(phase);
      logger.info(
        { phase, total },
        phase === 'facts'
          ? 'rebuilding KYC facts from stored events (run `persona-webhooks migrate` before starting to see a progress bar)'
          : 'deciding every user again (the facts were rebuilt or the KYC policy changed); changed decisions go to the outbox',
      );
    }
    if (done === total && !finished.has(phase)) {
      finished.add(phase);
      logger.info({ phase, done }, phase === 'facts' ? 'KYC facts rebuilt' : 'KYC decisions rebuilt');
    }
  };
}
