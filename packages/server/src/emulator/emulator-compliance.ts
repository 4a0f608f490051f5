/**
 * What happens to a user after their inquiry, in the emulated environment: a case a reviewer opens and
 * moves through its template's statuses (or resolves the classic way), and a report (a watchlist,
 * screening or custom-list run) that Persona re-runs while it is continuously monitored, and whose match
 * a reviewer may dismiss. Each step records the events Persona sends for it, which the deliverer then
 * delivers like any other. Every case and report relates to one inquiry and its account (and a report or
 * transaction, when it is about one) through `relationships`, which is how a receiver ties it to the
 * user: cases and reports carry no reference id of their own.
 */
import { isKnownEventName } from 'persona-webhooks';
import { personaId } from 'persona-webhooks/testing';
import type {
  EmulatedCase,
  EmulatedCaseTemplate,
  EmulatedEvent,
  EmulatedInquiry,
  EmulatedReport,
} from './emulator-model.js';
import type { EmulatorState } from './emulator-state.js';

/** Thrown for a step the object's state does not allow (resolving a resolved case). */
export class EmulatorConflictError extends Error {
  override name = 'EmulatorConflictError';
}

/**
 * The case template a case follows unless told otherwise: statuses named as a compliance team names
 * them, two of them end statuses that resolve the case, one of which reads as a decline.
 */
export const DEFAULT_CASE_TEMPLATE: Omit<EmulatedCaseTemplate, 'id'> = {
  statuses: ['Open', 'Pending', 'Accept', 'Declined by Team 1'],
  endStatuses: ['Accept', 'Declined by Team 1'],
};

/** What a case is about besides the inquiry's user, and its template's statuses. */
/**
 * Whom a case or report is about: an inquiry's user (the inquiry and its account), or, for a report on
 * a transaction of a user who has no inquiry, the transaction's account alone.
 */
export interface Subject {
  inquiryId: string | null;
  accountId: string;
}

/** An inquiry as a subject. */
export const inquirySubject = (inquiry: EmulatedInquiry): Subject => ({
  inquiryId: inquiry.id,
  accountId: inquiry.accountId,
});

export interface CaseOptions {
  report?: EmulatedReport | null;
  transactionId?: string | null;
  template?: Omit<EmulatedCaseTemplate, 'id'>;
}

/**
 * Opens a case about one or more users (and a report or transaction of theirs): `case.created`. A case
 * over several users relates every one's inquiry and account, in the order given.
 */
export function createCase(
  state: EmulatorState,
  subjects: readonly Subject[],
  options: CaseOptions = {},
): { kase: EmulatedCase; events: EmulatedEvent[] } {
  const template = options.template ?? DEFAULT_CASE_TEMPLATE;
  const kase: EmulatedCase = {
    id: personaId('case'),
    inquiryIds: subjects.flatMap((subject) => (subject.inquiryId === null ? [] : [subject.inquiryId])),
    accountIds: [...new Set(subjects.map((subject) => subject.accountId))],
    reportId: options.report?.id ?? null,
    reportType: options.report?.reportType ?? null,
    transactionId: options.transactionId ?? options.report?.transactionId ?? null,
    template: {
      id: personaId('ctmpl'),
      statuses: [...template.statuses],
      endStatuses: [...template.endStatuses],
    },
    status: 'open',
    resolution: null,
    resolvedAtMs: null,
    createdAtMs: state.now(),
  };
  state.cases.set(kase.id, kase);
  return { kase, events: [recordCaseEvent(state, kase, 'case.created')] };
}

/** Resolves an open case (`Approved`, `Declined`, or a template's own resolution): `case.resolved`. */
export function resolveCase(state: EmulatorState, kase: EmulatedCase, resolution: string): EmulatedEvent[] {
  if (kase.resolvedAtMs !== null) throw new EmulatorConflictError(`case ${kase.id} is already resolved`);
  kase.status = 'resolved';
  kase.resolution = resolution;
  kase.resolvedAtMs = state.now();
  return [recordCaseEvent(state, kase, 'case.resolved')];
}

/**
 * Moves a case to one of its template's statuses: `case.status-updated`, and `case.resolved` too when it
 * is an end status (Persona then sets `resolved-at`); a status that is not an end status reopens it.
 */
export function setCaseStatus(state: EmulatorState, kase: EmulatedCase, status: string): EmulatedEvent[] {
  const { statuses, endStatuses } = kase.template;
  if (!statuses.includes(status) && !endStatuses.includes(status)) {
    throw new RangeError(
      `status must be one of the case template's: ${[...new Set([...statuses, ...endStatuses])].join(', ')}`,
    );
  }
  if (kase.status === status) throw new EmulatorConflictError(`case ${kase.id} is already ${status}`);
  const ends = endStatuses.includes(status);
  kase.status = status;
  kase.resolution = null;
  kase.resolvedAtMs = ends ? state.now() : null;
  const events = [recordCaseEvent(state, kase, 'case.status-updated')];
  if (ends) events.push(recordCaseEvent(state, kase, 'case.resolved'));
  return events;
}

/** Reopens a resolved case (its resolution cleared): `case.reopened`. */
export function reopenCase(state: EmulatorState, kase: EmulatedCase): EmulatedEvent[] {
  if (kase.resolvedAtMs === null) throw new EmulatorConflictError(`case ${kase.id} is already open`);
  kase.status = 'open';
  kase.resolution = null;
  kase.resolvedAtMs = null;
  return [recordCaseEvent(state, kase, 'case.reopened')];
}

function recordCaseEvent(state: EmulatorState, kase: EmulatedCase, name: string): EmulatedEvent {
  return state.recordEvent({
    name,
    caseId: kase.id,
    ...(kase.inquiryIds[0] === undefined ? {} : { inquiryId: kase.inquiryIds[0] }),
    ...(kase.accountIds[0] === undefined ? {} : { accountId: kase.accountIds[0] }),
    otherInquiryIds: kase.inquiryIds.slice(1),
    otherAccountIds: kase.accountIds.slice(1),
    status: kase.status,
    resolvedAt: kase.resolvedAtMs === null ? null : new Date(kase.resolvedAtMs),
    ...(kase.resolution === null ? {} : { resolution: kase.resolution }),
    ...(kase.reportId === null ? {} : { reportId: kase.reportId, reportType: kase.reportType ?? undefined }),
    ...(kase.transactionId === null ? {} : { transactionId: kase.transactionId }),
  });
}

/** Whether the emulator can run reports of this type (one Persona names `report/<type>.ready`). */
export function isRunnableReportType(reportType: string): boolean {
  return isKnownEventName(`report/${reportType}.ready`);
}

/** Creates a report about a user (or a transaction of theirs) and runs it once (see {@link runReport}). */
export function createReport(
  state: EmulatorState,
  subject: Subject,
  options: { reportType: string; hasMatch: boolean; isContinuous: boolean; transactionId?: string | null },
): { report: EmulatedReport; events: EmulatedEvent[] } {
  if (!isRunnableReportType(options.reportType)) {
    throw new RangeError(`unknown report type ${options.reportType}`);
  }
  const report: EmulatedReport = {
    id: personaId('rep'),
    reportType: options.reportType,
    inquiryId: subject.inquiryId,
    accountId: subject.accountId,
    transactionId: options.transactionId ?? null,
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
  return names.map((name) => recordReportEvent(state, report, name));
}

/**
 * A reviewer dismisses the report's match (a false positive): `report/<type>.dismissed` with `has-match`
 * false. Report types Persona sends no `.dismissed` for (`screening`) are cleared by a clean run instead.
 */
export function dismissReport(state: EmulatorState, report: EmulatedReport): EmulatedEvent[] {
  const name = `report/${report.reportType}.dismissed`;
  if (!isKnownEventName(name)) {
    throw new EmulatorConflictError(
      `Persona sends no ${name}: a run without a match clears a report/${report.reportType} match (POST /_emulator/reports/${report.id}/run)`,
    );
  }
  if (!report.hasMatch) throw new EmulatorConflictError(`report ${report.id} has no match to dismiss`);
  report.hasMatch = false;
  return [recordReportEvent(state, report, name)];
}

function recordReportEvent(state: EmulatorState, report: EmulatedReport, name: string): EmulatedEvent {
  return state.recordEvent({
    name,
    reportId: report.id,
    ...(report.inquiryId === null ? {} : { inquiryId: report.inquiryId }),
    accountId: report.accountId,
    hasMatch: report.hasMatch,
    isContinuous: report.isContinuous,
    ...(report.transactionId === null ? {} : { transactionId: report.transactionId }),
  });
}
