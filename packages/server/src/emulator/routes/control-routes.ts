/**
 * The emulator's own endpoints under `/_emulator` (not Persona's): record any event
 * (record-event-route.ts), cases, reports and transactions (compliance-routes.ts), turn faults on, add
 * API keys with limited permissions, and read what happened (API requests, delivery attempts). They
 * need the emulator's full-permission key as a bearer token (control-key.ts): with them anyone could
 * mint a key that reads webhook secrets.
 */
import type { FastifyInstance } from 'fastify';
import { API_PERMISSIONS, type ApiPermission } from '../../persona-api/permissions.js';
import type { EmulatorFaults } from '../emulator-model.js';
import type { EmulatorState } from '../emulator-state.js';
import { registerComplianceRoutes } from './compliance-routes.js';
import { requireControlKey } from './control-key.js';
import { registerRecordEventRoute } from './record-event-route.js';
import { type RouteContext, sendPersonaError } from './route-context.js';
import { registerTransactionRoutes } from './transaction-routes.js';

const FAULT_KEYS: Readonly<Record<string, keyof EmulatorFaults>> = {
  'drop-deliveries': 'dropDeliveries',
  'fail-delivery-attempts': 'failDeliveryAttempts',
  'api-delay-ms': 'apiDelayMs',
  'api-errors': 'apiErrors',
};

/** Registers `/_emulator` and `/_emulator/*`, all behind the control key. */
export function registerControlRoutes(app: FastifyInstance, context: RouteContext): void {
  const { state } = context;
  requireControlKey(app, context.controlKey);

  app.get('/_emulator', async () => ({
    events: state.events.length,
    webhooks: state.webhooksNewestFirst().map((w) => ({ id: w.id, url: w.url, status: w.status })),
    deliveries: state.deliveries.length,
    cases: state.cases.size,
    reports: state.reports.size,
    transactions: state.transactions.size,
    faults: state.faults,
  }));

  registerRecordEventRoute(app, state);
  registerFaultAndKeyRoutes(app, state);
  registerComplianceRoutes(app, context);
  registerTransactionRoutes(app, state);

  app.get('/_emulator/requests', async () => ({ requests: state.requests }));
  app.get('/_emulator/deliveries', async () => ({ attempts: state.attempts }));
}

/** What a test sets up besides events: faults to inject, and API keys with fewer permissions. */
function registerFaultAndKeyRoutes(app: FastifyInstance, state: EmulatorState): void {
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
}
