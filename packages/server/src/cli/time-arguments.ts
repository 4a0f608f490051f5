/** Time arguments of the CLI: an ISO 8601 time, or a duration back from now (`90m`, `72h`, `7d`). */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../durations.js';

/**
 * Epoch ms of `value`: `72h` means 72 hours before `nowMs`; anything else must be an ISO 8601 time.
 *
 * @example parseSince('72h', '--since'); parseSince('2026-01-01T00:00:00Z', '--since');
 */
export function parseSince(value: string, flag: string, nowMs: number = Date.now()): number {
  const duration = parseDuration(value);
  if (duration !== null) return nowMs - duration;
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new InvalidArgumentError(
      `${flag} must be an ISO 8601 time (2026-01-31T12:00:00Z) or a duration like 90m, 72h or 7d`,
    );
  }
  return at;
}
