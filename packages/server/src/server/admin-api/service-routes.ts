/**
 * The admin API's pages about the service itself: the dashboard's overview, the setup guide for
 * Persona's webhook, and reconciliation's status.
 */
import type { FastifyInstance } from 'fastify';
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';
import { overviewAnswer, reconcileAnswer, setupAnswer } from '../answers/service-answers.js';
import type { MinuteCounter } from '../observability/minute-counter.js';
import { ADMIN_API, type AdminRouteContext } from './admin-route-parts.js';
import { buildOverview } from './overview.js';
import { reconcileJson } from './reconcile-view.js';
import { webhookSetupJson } from './webhook-setup.js';

export interface ServiceRoutesOptions extends AdminRouteContext {
  invalidSignatures: MinuteCounter;
  /** Reconciliation's status for `GET /api/reconcile`; absent: reported as off. */
  reconcile?: ReconcileStatus;
  /** What the setup guide lists: the events the service's KYC policy reads. */
  policyEvents: readonly string[];
  /** Whether they come from a policy file (PERSONA_WEBHOOKS_POLICY). */
  policyFromFile: boolean;
  /** Where Persona's webhook must point. */
  receiverPath: string;
}

export function registerServiceRoutes(api: FastifyInstance, options: ServiceRoutesOptions): void {
  const { store, routes } = options;

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/overview',
      summary: 'Inbox counts, arrivals per minute, dead letters and reconciliation, for the dashboard',
      responses: { 200: { description: 'The overview.', schema: overviewAnswer } },
    },
    async () => buildOverview(store, options.invalidSignatures, Date.now(), options.reconcile),
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/setup',
      summary:
        "What Persona's webhook must be for this service: its path and every event the KYC policy reads, by family",
      responses: { 200: { description: 'The setup guide.', schema: setupAnswer } },
    },
    async () => webhookSetupJson(options.policyEvents, options.receiverPath, options.policyFromFile),
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/reconcile',
      summary: "Reconciliation's schedule, checkpoint and last run",
      responses: { 200: { description: 'The reconciliation status.', schema: reconcileAnswer } },
    },
    async () =>
      reconcileJson(
        options.reconcile ?? {
          enabled: false,
          offReason: 'not configured',
          intervalMs: null,
          state: async () => null,
        },
        Date.now(),
      ),
  );
}
