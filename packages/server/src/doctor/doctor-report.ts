/** The doctor's output: one line per check, its fix below it, and a closing line naming every failure. */
import { CHECK_TITLES, type CheckResult, type CheckStatus } from './checks.js';

const LABELS: Readonly<Record<CheckStatus, string>> = {
  passed: 'passed ',
  failed: 'FAILED ',
  warning: 'warning',
  skipped: 'skipped',
};

/** The report as printed. */
export function formatDoctorReport(results: readonly CheckResult[], heading: string): string {
  const width = Math.max(...results.map((r) => CHECK_TITLES[r.id].length));
  const lines = [heading, ''];
  for (const check of results) {
    lines.push(`  ${LABELS[check.status]}  ${CHECK_TITLES[check.id].padEnd(width)}  ${check.detail}`);
    if (check.fix && check.status !== 'passed') lines.push(`  ${' '.repeat(9 + width)}  fix: ${check.fix}`);
  }
  const failed = results.filter((r) => r.status === 'failed');
  const warnings = results.filter((r) => r.status === 'warning').length;
  lines.push('');
  lines.push(
    failed.length === 0
      ? `All checks passed${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`
      : `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((r) => r.id).join(', ')}.`,
  );
  return `${lines.join('\n')}\n`;
}
