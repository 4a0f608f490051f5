/**
 * The one way times are written for people — the CLI, `doctor`, the logs' start-up line — matching the
 * dashboard's `public/admin/format.js`: `2026-12-02 14:03:07 UTC`. UTC names its zone in every value, so
 * a table pasted into a ticket, a screenshot and a log line mean the same to everyone who reads them.
 */

/** `2026-11-27 07:58:01 UTC` for an ISO time (or epoch ms), `-` for null. */
export function utcTime(time: string | number | null): string {
  if (time === null) return '-';
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return String(time);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
