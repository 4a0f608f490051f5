/**
 * What happens to a user after their inquiry, in the emulated environment: a case a reviewer opens and
 * resolves, and a report (a watchlist screening, say) that Persona re-runs while it is continuously
 * monitored. Each step records the events Persona sends for it, which the deliverer then delivers like
 * any other. Every case and report relates to one inquiry and its account (`relationships`), which is
 * how a receiver ties it to the inquiry's reference id: the events built here name none themselves.
 */
import { isKnownEventName } from 'persona-webhooks';
import { personaId } from 'persona-webhooks/testing';
import type { EmulatedCase, EmulatedEvent, EmulatedInquiry, EmulatedReport } from './emulator-model.js';
import type { EmulatorState } from './emulator-state.js';

/** Thrown for a step the object's state does not allow (resolving a resolved case). */
export class EmulatorConflictError extends Error {
  override name = 'EmulatorConflictError';
}

/** Opens a case about an inquiry's user and records `case.created`. */
export function createCase(
  state: EmulatorState,
  inquiry: EmulatedInquiry,
): { kase: EmulatedCase; events: EmulatedEvent[] } {
  const kase: EmulatedCase = {
    id: personaId('case'),
    inquiryId: inquiry.id,
    accountId: inquiry.accountId,
    status: 'open',
    resolution: null,
    createdAtMs: state.now(),
  };
  state.cases.set(kase.id, kase);
  return { kase, events: [recordCaseEvent(state, kase, 'case.created')] };
}

/** Resolves an open case (`Approved`, `Declined`, or a template's own resolution): `case.resolved`. */
export function resolveCase(state: EmulatorState, kase: EmulatedCase, resolution: string): EmulatedEvent[] {
  if (kase.status === 'resolved') throw new EmulatorConflictError(`case ${kase.id} is already resolved`);
  kase.status = 'resolved';
  kase.resolution = resolution;
  return [recordCaseEvent(state, kase, 'case.resolved')];
}

/** Reopens a resolved case (its resolution cleared): `case.reopened`. */
export function reopenCase(state: EmulatorState, kase: EmulatedCase): EmulatedEvent[] {
  if (kase.status === 'open') throw new EmulatorConflictError(`case ${kase.id} is already open`);
  kase.status = 'open';
  kase.resolution = null;
  return [recordCaseEvent(state, kase, 'case.reopened')];
}

function recordCaseEvent(state: EmulatorState, kase: EmulatedCase, name: string): EmulatedEvent {
  return state.recordEvent({
    name,
    caseId: kase.id,
    inquiryId: kase.inquiryId,
    accountId: kase.accountId,
    status: kase.status,
    ...(kase.resolution === null ? {} : { resolution: kase.resolution }),
  });
}

/** Whether the emulator can run reports of this type (one Persona names `report/<type>.ready`). */
export function isRunnableReportType(reportType: string): boolean {
  return isKnownEventName(`report/${reportType}.ready`);
}

/** Creates a report about an inquiry's user and runs it once (see {@link runReport}). */
export function createReport(
  state: EmulatorState,
  inquiry: EmulatedInquiry,
  options: { reportType: string; hasMatch: boolean; isContinuous: boolean },
): { report: EmulatedReport; events: EmulatedEvent[] } {
  if (!isRunnableReportType(options.reportType)) {
    throw new RangeError(`unknown report type ${options.reportType}`);
  }
  const report: EmulatedReport = {
    id: personaId('rep'),
    reportType: options.reportType,
    inquiryId: inquiry.id,
    accountId: inquiry.accountId,
    hasMatch: false,
    isContinuous: options.isContinuous,
    runs: 0,
    createdAtMs: state.now(),
  };
  state.reports.set(report.id, report);
  return { report, events: runReport(state, report, options.hasMatch) };
}

/**
 * Runs a report again, as continuous monitoring does on its schedule: `report/<type>.ready` with the
 * run's `has-match`, then `report/<type>.matched` when this run introduces a match (the previous run had
 * none), as Persona documents it. A clean run after a match sends `ready` with `has-match: false` only.
 */
export function runReport(state: EmulatorState, report: EmulatedReport, hasMatch: boolean): EmulatedEvent[] {
  const newMatch = hasMatch && !report.hasMatch;
  report.hasMatch = hasMatch;
  report.runs++;
  const names = [`report/${report.reportType}.ready`];
  const matched = `report/${report.reportType}.matched`;
  if (newMatch && isKnownEventName(matched)) names.push(matched);
  return names.map((name) =>
    state.recordEvent({
      name,
      reportId: report.id,
      inquiryId: report.inquiryId,
      accountId: report.accountId,
      hasMatch,
      isContinuous: report.isContinuous,
    }),
  );
}
