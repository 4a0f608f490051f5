/**
 * The emulator's own endpoints under `/_emulator` (not Persona's): record any event (optionally in the
 * past, optionally without delivering it), open and resolve cases and run (continuously monitored)
 * reports about an inquiry's user, turn faults on, add API keys with limited permissions, and read what
 * happened (API requests, delivery attempts). They need the emulator's full-permission key as a bearer
 * token: with them anyone could mint a key that reads webhook secrets.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PERMISSIONS, type ApiPermission } from '../../persona-api/permissions.js';
import {
  createCase,
  createReport,
  EmulatorConflictError,
  isRunnableReportType,
  reopenCase,
  resolveCase,
  runReport,
} from '../emulator-compliance.js';
import type { EmulatedCase, EmulatedEvent, EmulatedInquiry, EmulatorFaults } from '../emulator-model.js';
import type { EmulatorState, RecordEventInput } from '../emulator-state.js';
import { caseJson, reportJson } from '../persona-json.js';
import { type RouteContext, sendPersonaError } from './route-context.js';

interface IdParams {
  Params: { id: string };
}

const FAULT_KEYS: Readonly<Record<string, keyof EmulatorFaults>> = {
  'drop-deliveries': 'dropDeliveries',
  'fail-delivery-attempts': 'failDeliveryAttempts',
  'api-delay-ms': 'apiDelayMs',
  'api-errors': 'apiErrors',
};

/** The text fields `POST /_emulator/events` reads, and the `buildEvent` option each one sets. */
const EVENT_TEXT_FIELDS = {
  'inquiry-id': 'inquiryId',
  'reference-id': 'referenceId',
  'account-id': 'accountId',
  status: 'status',
  'case-id': 'caseId',
  resolution: 'resolution',
  'report-id': 'reportId',
} as const satisfies Record<string, keyof RecordEventInput>;
type EventTextOption = (typeof EVENT_TEXT_FIELDS)[keyof typeof EVENT_TEXT_FIELDS];

/** Registers `/_emulator` and `/_emulator/*`, all behind the control key. */
export function registerControlRoutes(app: FastifyInstance, context: RouteContext): void {
  const { state } = context;
  const expected = digest(context.controlKey);
  const authorized = (request: FastifyRequest) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    return token !== undefined && timingSafeEqual(digest(token), expected);
  };
  app.addHook('onRequest', async (request, reply) => {
    // The matched route, not the raw URL: no spelling of the path can reach a control route unchecked.
    const route = request.routeOptions.url ?? '';
    if (route !== '/_emulator' && !route.startsWith('/_emulator/')) return;
    if (authorized(request)) return;
    return sendPersonaError(
      reply,
      401,
      'Unauthorized',
      "The emulator's control routes need its full-permission key (printed at start, PERSONA_API_KEY) as Authorization: Bearer <key>.",
    );
  });

  app.get('/_emulator', async () => ({
    events: state.events.length,
    webhooks: state.webhooksNewestFirst().map((w) => ({ id: w.id, url: w.url, status: w.status })),
    deliveries: state.deliveries.length,
    cases: state.cases.size,
    reports: state.reports.size,
    faults: state.faults,
  }));

  app.post('/_emulator/events', async (request, reply) => {
    const body = bodyOf(request.body);
    const name = body['name'];
    if (typeof name !== 'string' || name.length === 0) {
      return sendPersonaError(reply, 400, 'Bad Request', 'name is required, e.g. inquiry.approved');
    }
    const createdAt = body['created-at'];
    if (createdAt !== undefined && (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))) {
      return sendPersonaError(reply, 400, 'Bad Request', 'created-at must be an ISO 8601 time');
    }
    const options: Partial<Record<EventTextOption, string>> = {};
    for (const [key, option] of Object.entries(EVENT_TEXT_FIELDS)) {
      const value = body[key];
      if (typeof value === 'string' && value.length > 0) options[option] = value;
    }
    const hasMatch = body['has-match'];
    const event = state.recordEvent({
      ...options,
      name,
      ...(typeof createdAt === 'string' ? { createdAt } : {}),
      ...(typeof hasMatch === 'boolean' ? { hasMatch } : {}),
      deliver: body['deliver'] !== false,
    });
    return reply.code(201).send({ data: event.resource });
  });

  app.post('/_emulator/cases', async (request, reply) => {
    const inquiry = targetInquiry(state, bodyOf(request.body), reply);
    if (!inquiry) return reply;
    const { kase, events } = createCase(state, inquiry);
    return reply.code(201).send({ data: caseJson(kase), events: eventRefs(events) });
  });

  const findCase = (id: string, reply: FastifyReply): EmulatedCase | null => {
    const kase = state.cases.get(id);
    if (!kase) void sendPersonaError(reply, 404, 'Record not found', `No case ${id.slice(0, 64)}`);
    return kase ?? null;
  };

  app.post<IdParams>('/_emulator/cases/:id/resolve', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    if (!kase) return reply;
    const resolution = bodyOf(request.body)['resolution'] ?? 'Approved';
    if (typeof resolution !== 'string' || resolution.length === 0 || resolution.length > 100) {
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        'resolution must be text, e.g. Approved or Declined',
      );
    }
    return caseStep(reply, kase, () => resolveCase(state, kase, resolution));
  });

  app.post<IdParams>('/_emulator/cases/:id/reopen', async (request, reply) => {
    const kase = findCase(request.params.id, reply);
    return kase ? caseStep(reply, kase, () => reopenCase(state, kase)) : reply;
  });

  app.post('/_emulator/reports', async (request, reply) => {
    const body = bodyOf(request.body);
    const reportType = body['type'] ?? 'watchlist';
    if (typeof reportType !== 'string' || !isRunnableReportType(reportType)) {
      return sendPersonaError(reply, 400, 'Bad Request', 'type must be a report type, e.g. watchlist');
    }
    const hasMatch = flag(body, 'has-match', false);
    const isContinuous = flag(body, 'is-continuous', true);
    if (hasMatch === null || isContinuous === null) {
      return sendPersonaError(reply, 400, 'Bad Request', 'has-match and is-continuous must be true or false');
    }
    const inquiry = targetInquiry(state, body, reply);
    if (!inquiry) return reply;
    const { report, events } = createReport(state, inquiry, { reportType, hasMatch, isContinuous });
    return reply.code(201).send({ data: reportJson(report), events: eventRefs(events) });
  });

  app.post<IdParams>('/_emulator/reports/:id/run', async (request, reply) => {
    const report = state.reports.get(request.params.id);
    if (!report) {
      return sendPersonaError(reply, 404, 'Record not found', `No report ${request.params.id.slice(0, 64)}`);
    }
    const hasMatch = flag(bodyOf(request.body), 'has-match', false);
    if (hasMatch === null)
      return sendPersonaError(reply, 400, 'Bad Request', 'has-match must be true or false');
    const events = runReport(state, report, hasMatch);
    return { data: reportJson(report), events: eventRefs(events) };
  });

  app.post('/_emulator/faults', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const faults: Partial<EmulatorFaults> = {};
    for (const [key, value] of Object.entries(body)) {
      const field = FAULT_KEYS[key];
      if (!field || typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        return sendPersonaError(
          reply,
          400,
          'Bad Request',
          `faults are ${Object.keys(FAULT_KEYS).join(', ')}, each a whole number ≥ 0`,
        );
      }
      faults[field] = value;
    }
    return { faults: state.setFaults(faults) };
  });

  app.post('/_emulator/api-keys', async (request, reply) => {
    const permissions = (request.body as { permissions?: unknown } | undefined)?.permissions;
    if (
      !Array.isArray(permissions) ||
      permissions.some((p) => !API_PERMISSIONS.includes(p as ApiPermission))
    ) {
      return sendPersonaError(
        reply,
        400,
        'Bad Request',
        `permissions: a list of ${API_PERMISSIONS.join(', ')}`,
      );
    }
    return reply.code(201).send({ key: state.addApiKey(undefined, permissions as ApiPermission[]) });
  });

  app.get('/_emulator/requests', async () => ({ requests: state.requests }));
  app.get('/_emulator/deliveries', async () => ({ attempts: state.attempts }));
}

/** Hashed first, so the comparison length never depends on the input. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** A JSON object body, or an empty one. */
function bodyOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/** A boolean field: its value, the default when absent, null when it is not a boolean. */
function flag(body: Record<string, unknown>, key: string, fallback: boolean): boolean | null {
  const value = body[key] ?? fallback;
  return typeof value === 'boolean' ? value : null;
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
  const inquiryId = body['inquiry-id'];
  const referenceId = body['reference-id'];
  if (typeof inquiryId === 'string' && inquiryId.length > 0) {
    const inquiry = state.inquiries.get(inquiryId);
    if (!inquiry)
      void sendPersonaError(reply, 404, 'Record not found', `No inquiry ${inquiryId.slice(0, 64)}`);
    return inquiry ?? null;
  }
  if (typeof referenceId === 'string' && referenceId.length > 0) {
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

/** Runs a case step; a step its state does not allow answers 409. */
function caseStep(reply: FastifyReply, kase: EmulatedCase, step: () => EmulatedEvent[]) {
  try {
    const events = step();
    return reply.send({ data: caseJson(kase), events: eventRefs(events) });
  } catch (error) {
    if (error instanceof EmulatorConflictError) {
      return sendPersonaError(reply, 409, 'Conflict', error.message);
    }
    throw error;
  }
}

/** The events a step recorded, as a client needs them (to find them in the Events API or the receiver). */
function eventRefs(events: readonly EmulatedEvent[]) {
  return events.map((event) => ({ id: event.id, name: event.name }));
}
