/**
 * The emulator's own endpoints under `/_emulator` (not Persona's): record any event (optionally in the
 * past, optionally without delivering it), cases, reports and transactions (compliance-routes.ts), turn
 * faults on, add API keys with limited permissions, and read what
 * happened (API requests, delivery attempts). They need the emulator's full-permission key as a bearer
 * token: with them anyone could mint a key that reads webhook secrets.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_PERMISSIONS, type ApiPermission } from '../../persona-api/permissions.js';
import type { EmulatorFaults } from '../emulator-model.js';
import type { RecordEventInput } from '../emulator-state.js';
import { registerComplianceRoutes } from './compliance-routes.js';
import { bodyOf, type RouteContext, sendPersonaError } from './route-context.js';
import { registerTransactionRoutes } from './transaction-routes.js';

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
  'transaction-id': 'transactionId',
  'resolved-at': 'resolvedAt',
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
    transactions: state.transactions.size,
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

  registerComplianceRoutes(app, context);
  registerTransactionRoutes(app, state);

  app.get('/_emulator/requests', async () => ({ requests: state.requests }));
  app.get('/_emulator/deliveries', async () => ({ attempts: state.attempts }));
}

/** Hashed first, so the comparison length never depends on the input. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
