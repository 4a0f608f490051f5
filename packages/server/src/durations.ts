/** Durations as the CLI and the settings write them: `250ms`, `5s`, `90m`, `24h`, `7d`. */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Milliseconds of `value`, or null when it is not a duration.
 *
 * @example parseDuration('24h'); // 86_400_000
 */
export function parseDuration(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/i.exec(value.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!.toLowerCase()]!);
}
