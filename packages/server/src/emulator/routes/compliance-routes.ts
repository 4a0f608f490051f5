/**
 * The emulator's control routes for what happens after an inquiry: cases (opened about a user, a report
 * or a transaction, moved through their template's statuses or resolved), reports (run, re-run, their
 * match dismissed) and transactions (created, their status set). Each answers the object and the events
 * it recorded. Behind the control key like every `/_emulator` route (see control-routes.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  createCase,
  createReport,
  dismissReport,
  EmulatorConflictError,
  isRunnableReportType,
  reopenCase,
  resolveCase,
  runReport,
  setCaseStatus,
} from '../emulator-compliance.js';
import type { EmulatedCase, EmulatedEvent, EmulatedInquiry, EmulatedReport } from '../emulator-model.js';
import type { EmulatorState } from '../emulator-state.js';
import { createTransaction, setTransactionStatus } from '../emulator-transactions.js';
import { caseJson, reportJson, transactionJson } from '../persona-json.js';
import { bodyOf, type RouteContext, sendPersonaError } from './route-context.js';

interface IdParams {
  Params: { id: string };
}

/** Longest status, resolution or template status accepted: Persona's are short names. */
const MAX_STATUS_CHARS = 100;

export function registerComplianceRoutes(app: FastifyInstance, { state }: RouteContext): void {
  const notFound = (reply: FastifyReply, what: string, id: string) =>
    sendPersonaError(reply, 404, 'Record not found', `No ${what} ${id.slice(0, 64)}`);

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
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        'statuses and end-statuses must be lists of status names, e.g. ["Open"] and ["Accept", "Declined by Team 1"]',
      );
    }
    // A case about a report is about the report's user: its inquiry, unless one is named.
    const inquiry =
      report && !body['inquiry-id'] && !body['reference-id']
        ? inquiryOf(state, report)
        : targetInquiry(state, body, reply);
    if (!inquiry) return reply;
    const { kase, events } = createCase(state, inquiry, {
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
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        'resolution must be text, e.g. Approved or Declined',
      );
    }
    return step(
      reply,
      () => resolveCase(state, kase, resolution),
      () => caseJson(kase),
    );
  });

  app.post<IdParams>('/_emulator/cases/:id/status', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    if (!kase) return reply;
    const status = text(bodyOf(request.body)['status']);
    if (!status) {
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        `status is required, one of ${kase.template.statuses.join(', ')}`,
      );
    }
    return step(
      reply,
      () => setCaseStatus(state, kase, status),
      () => caseJson(kase),
    );
  });

  app.post<IdParams>('/_emulator/cases/:id/reopen', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    return kase
      ? step(
          reply,
          () => reopenCase(state, kase),
          () => caseJson(kase),
        )
      : reply;
  });

  app.post('/_emulator/reports', async (request, reply) => {
    const body = bodyOf(request.body);
    const reportType = body['type'] ?? 'watchlist';
    if (typeof reportType !== 'string' || !isRunnableReportType(reportType)) {
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        'type must be a report type, e.g. watchlist, screening or custom-list',
      );
    }
    const hasMatch = flag(body, 'has-match', false);
    const isContinuous = flag(body, 'is-continuous', true);
    if (hasMatch === null || isContinuous === null) {
      return sendPersonaError(reply, 400, 'Bad Request', 'has-match and is-continuous must be true or false');
    }
    const transactionId = text(body['transaction-id']);
    const transaction = transactionId ? state.transactions.get(transactionId) : undefined;
    if (transactionId && !transaction) return notFound(reply, 'transaction', transactionId);
    // A report on a transaction runs on its user: the transaction's reference id names them.
    const target =
      transaction && !body['inquiry-id'] && !body['reference-id']
        ? { ...body, 'reference-id': transaction.referenceId }
        : body;
    const inquiry = targetInquiry(state, target, reply);
    if (!inquiry) return reply;
    const { report, events } = createReport(state, inquiry, {
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
    if (hasMatch === null)
      return sendPersonaError(reply, 400, 'Bad Request', 'has-match must be true or false');
    return step(
      reply,
      () => runReport(state, report, hasMatch),
      () => reportJson(report),
    );
  });

  app.post<IdParams>('/_emulator/reports/:id/dismiss', async (request, reply) => {
    const report = findReport(request.params.id, reply);
    return report
      ? step(
          reply,
          () => dismissReport(state, report),
          () => reportJson(report),
        )
      : reply;
  });

  app.post('/_emulator/transactions', async (request, reply) => {
    const body = bodyOf(request.body);
    const referenceId = text(body['reference-id']);
    if (!referenceId) {
      return sendPersonaError(reply, 400, 'Bad Request', "reference-id is required: the transaction's user");
    }
    const status = body['status'] === undefined ? undefined : text(body['status']);
    if (status === null)
      return sendPersonaError(reply, 400, 'Bad Request', 'status must be text, e.g. approved');
    const { transaction, events } = createTransaction(state, { referenceId, ...(status ? { status } : {}) });
    return reply.code(201).send({ data: transactionJson(transaction), events: eventRefs(events) });
  });

  app.post<IdParams>('/_emulator/transactions/:id/status', async (request, reply) => {
    const transaction = state.transactions.get(request.params.id);
    if (!transaction) return notFound(reply, 'transaction', request.params.id);
    const status = text(bodyOf(request.body)['status']);
    if (!status) {
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        'status is required, e.g. approved, declined or needs_review',
      );
    }
    return step(
      reply,
      () => setTransactionStatus(state, transaction, status),
      () => transactionJson(transaction),
    );
  });
}

/** Non-empty text up to MAX_STATUS_CHARS; null otherwise (absent included). */
function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_STATUS_CHARS ? value : null;
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

function inquiryOf(state: EmulatorState, report: EmulatedReport): EmulatedInquiry | null {
  return state.inquiries.get(report.inquiryId) ?? null;
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
  void sendPersonaError(reply, 400, 'Bad Request', 'inquiry-id or reference-id is required');
  return null;
}

/**
 * Runs a step and answers the object as it is now with the events recorded; a step the object's state
 * does not allow answers 409, a value it does not know 400.
 */
function step(reply: FastifyReply, run: () => EmulatedEvent[], json: () => unknown) {
  try {
    const events = run();
    return reply.send({ data: json(), events: eventRefs(events) });
  } catch (error) {
    if (error instanceof EmulatorConflictError)
      return sendPersonaError(reply, 409, 'Conflict', error.message);
    if (error instanceof RangeError) return sendPersonaError(reply, 400, 'Bad Request', error.message);
    throw error;
  }
}

/** The events a step recorded, as a client needs them (to find them in the Events API or the receiver). */
function eventRefs(events: readonly EmulatedEvent[]) {
  return events.map((event) => ({ id: event.id, name: event.name }));
}
