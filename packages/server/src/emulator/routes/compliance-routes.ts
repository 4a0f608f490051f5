/**
 * The emulator's control routes for what happens after an inquiry: cases (opened about a user, a report
 * or a transaction, moved through their template's statuses or resolved), reports (run, re-run, their
 * match dismissed); transactions: transaction-routes.ts. Each answers the object and the events
 * it recorded. Behind the control key like every `/_emulator` route (see control-routes.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  createCase,
  createReport,
  dismissReport,
  inquirySubject,
  isRunnableReportType,
  reopenCase,
  resolveCase,
  runReport,
  type Subject,
  setCaseStatus,
} from '../emulator-compliance.js';
import type { EmulatedCase, EmulatedInquiry, EmulatedReport } from '../emulator-model.js';
import type { EmulatorState } from '../emulator-state.js';
import { caseJson, reportJson } from '../persona-json.js';
import { badRequest, eventRefs, MAX_STATUS_CHARS, step, text } from './control-steps.js';
import { bodyOf, type RouteContext, sendPersonaError } from './route-context.js';

interface IdParams {
  Params: { id: string };
}

export function registerComplianceRoutes(app: FastifyInstance, { state }: RouteContext): void {
  registerCaseRoutes(app, state);
  registerReportRoutes(app, state);
}

/** Open a case, resolve it, move it to a status of its template, reopen it. */
function registerCaseRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.post('/_emulator/cases', async (request, reply) => {
    const body = bodyOf(request.body);
    const reportId = text(body['report-id']);
    const report = reportId ? state.reports.get(reportId) : null;
    if (reportId && !report) return notFound(reply, 'report', reportId);
    const transactionId = text(body['transaction-id']);
    if (transactionId && !state.transactions.has(transactionId)) {
      return notFound(reply, 'transaction', transactionId);
    }
    const template = caseTemplate(body);
    if (template === 'invalid') {
      return badRequest(
        reply,
        'statuses and end-statuses must be lists of status names, e.g. ["Open"] and ["Accept", "Declined by Team 1"]',
      );
    }
    // A case about a report is about the report's user (its inquiry and account), unless one is named.
    const subjects = report && !named(body) ? [reportSubject(report)] : caseSubjects(state, body, reply);
    if (!subjects) return reply;
    const { kase, events } = createCase(state, subjects, {
      report,
      transactionId: transactionId ?? null,
      ...(template ? { template } : {}),
    });
    return reply.code(201).send({ data: caseJson(kase), events: eventRefs(events) });
  });

  const findCase = (id: string, reply: FastifyReply): EmulatedCase | null => {
    const kase = state.cases.get(id);
    if (!kase) void notFound(reply, 'case', id);
    return kase ?? null;
  };

  app.post<IdParams>('/_emulator/cases/:id/resolve', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    if (!kase) return reply;
    const resolution = bodyOf(request.body)['resolution'] ?? 'Approved';
    if (typeof resolution !== 'string' || resolution.length === 0 || resolution.length > MAX_STATUS_CHARS) {
      return badRequest(reply, 'resolution must be text, e.g. Approved or Declined');
    }
    return step(reply, kase, caseJson, () => resolveCase(state, kase, resolution));
  });

  app.post<IdParams>('/_emulator/cases/:id/status', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    if (!kase) return reply;
    const status = text(bodyOf(request.body)['status']);
    if (!status) {
      return badRequest(reply, `status is required, one of ${kase.template.statuses.join(', ')}`);
    }
    return step(reply, kase, caseJson, () => setCaseStatus(state, kase, status));
  });

  app.post<IdParams>('/_emulator/cases/:id/reopen', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    return kase ? step(reply, kase, caseJson, () => reopenCase(state, kase)) : reply;
  });
}

/** Run a report (about a user or a transaction), run it again, dismiss its match. */
function registerReportRoutes(app: FastifyInstance, state: EmulatorState): void {
  app.post('/_emulator/reports', async (request, reply) => {
    const body = bodyOf(request.body);
    const reportType = body['type'] ?? 'watchlist';
    if (typeof reportType !== 'string' || !isRunnableReportType(reportType)) {
      return badRequest(reply, 'type must be a report type, e.g. watchlist, screening or custom-list');
    }
    const hasMatch = flag(body, 'has-match', false);
    const isContinuous = flag(body, 'is-continuous', true);
    if (hasMatch === null || isContinuous === null) {
      return badRequest(reply, 'has-match and is-continuous must be true or false');
    }
    const transactionId = text(body['transaction-id']);
    const transaction = transactionId ? state.transactions.get(transactionId) : undefined;
    if (transactionId && !transaction) return notFound(reply, 'transaction', transactionId);
    // A report on a transaction is about its user: the transaction's inquiry and account (a user known
    // only by transactions has no inquiry; the report then reaches them through the transaction).
    const subject =
      transaction && !named(body)
        ? { inquiryId: transaction.inquiryIds[0] ?? null, accountId: transaction.accountId }
        : inquiryTarget(state, body, reply);
    if (!subject) return reply;
    const { report, events } = createReport(state, subject, {
      reportType,
      hasMatch,
      isContinuous,
      transactionId: transactionId ?? null,
    });
    return reply.code(201).send({ data: reportJson(report), events: eventRefs(events) });
  });

  const findReport = (id: string, reply: FastifyReply): EmulatedReport | null => {
    const report = state.reports.get(id);
    if (!report) void notFound(reply, 'report', id);
    return report ?? null;
  };

  app.post<IdParams>('/_emulator/reports/:id/run', async (request, reply) => {
    const report = findReport(request.params.id, reply);
    if (!report) return reply;
    const hasMatch = flag(bodyOf(request.body), 'has-match', false);
    if (hasMatch === null) return badRequest(reply, 'has-match must be true or false');
    return step(reply, report, reportJson, () => runReport(state, report, hasMatch));
  });

  app.post<IdParams>('/_emulator/reports/:id/dismiss', async (request, reply) => {
    const report = findReport(request.params.id, reply);
    return report ? step(reply, report, reportJson, () => dismissReport(state, report)) : reply;
  });
}

function notFound(reply: FastifyReply, what: string, id: string) {
  return sendPersonaError(reply, 404, 'Record not found', `No ${what} ${id.slice(0, 64)}`);
}

/** A boolean field: its value, the default when absent, null when it is not a boolean. */
function flag(body: Record<string, unknown>, key: string, fallback: boolean): boolean | null {
  const value = body[key] ?? fallback;
  return typeof value === 'boolean' ? value : null;
}

/** The template's statuses when the body names them (both lists, or end-statuses alone); 'invalid' if malformed. */
function caseTemplate(body: Record<string, unknown>) {
  const statuses = body['statuses'];
  const endStatuses = body['end-statuses'];
  if (statuses === undefined && endStatuses === undefined) return null;
  const list = (value: unknown) =>
    Array.isArray(value) && value.every((item) => text(item) !== null) ? (value as string[]) : null;
  const ends = list(endStatuses ?? []);
  const open = list(statuses ?? ['Open']);
  if (!ends || !open || ends.length === 0) return 'invalid';
  return { statuses: open, endStatuses: ends };
}

/** Whether the body names the user itself (`inquiry-id`, `reference-id` or `reference-ids`). */
function named(body: Record<string, unknown>): boolean {
  return ['inquiry-id', 'reference-id', 'reference-ids'].some((key) => body[key] !== undefined);
}

/**
 * The users a case is about: each of `reference-ids` (a case over several users, by their newest
 * inquiries), else the one `inquiry-id` or `reference-id` names. Answers 400/404 itself and returns null.
 */
function caseSubjects(
  state: EmulatorState,
  body: Record<string, unknown>,
  reply: FastifyReply,
): Subject[] | null {
  const referenceIds = body['reference-ids'];
  if (referenceIds === undefined) {
    const subject = inquiryTarget(state, body, reply);
    return subject ? [subject] : null;
  }
  if (
    !Array.isArray(referenceIds) ||
    referenceIds.length === 0 ||
    referenceIds.some((id) => text(id) === null)
  ) {
    void badRequest(reply, 'reference-ids must be a list of reference ids, e.g. ["owner-1", "owner-2"]');
    return null;
  }
  const subjects: Subject[] = [];
  for (const referenceId of referenceIds as string[]) {
    const subject = inquiryTarget(state, { 'reference-id': referenceId }, reply);
    if (!subject) return null;
    subjects.push(subject);
  }
  return subjects;
}

function reportSubject(report: EmulatedReport): Subject {
  return { inquiryId: report.inquiryId, accountId: report.accountId };
}

/** The subject an `inquiry-id` or `reference-id` names (see {@link targetInquiry}); null once answered. */
function inquiryTarget(
  state: EmulatorState,
  body: Record<string, unknown>,
  reply: FastifyReply,
): Subject | null {
  const inquiry = targetInquiry(state, body, reply);
  return inquiry ? inquirySubject(inquiry) : null;
}

/**
 * The inquiry a case or report is about: `inquiry-id`, or the newest inquiry of `reference-id`. Answers
 * 400/404 itself and returns null when there is none.
 */
function targetInquiry(
  state: EmulatorState,
  body: Record<string, unknown>,
  reply: FastifyReply,
): EmulatedInquiry | null {
  const inquiryId = text(body['inquiry-id']);
  const referenceId = text(body['reference-id']);
  if (inquiryId) {
    const inquiry = state.inquiries.get(inquiryId);
    if (!inquiry)
      void sendPersonaError(reply, 404, 'Record not found', `No inquiry ${inquiryId.slice(0, 64)}`);
    return inquiry ?? null;
  }
  if (referenceId) {
    const inquiry = state.newestInquiryOf(referenceId);
    if (!inquiry) {
      void sendPersonaError(
        reply,
        404,
        'Record not found',
        `No inquiry with reference-id ${referenceId.slice(0, 64)}: create one first (POST /api/v1/inquiries)`,
      );
    }
    return inquiry ?? null;
  }
  void badRequest(reply, 'inquiry-id or reference-id is required');
  return null;
}
