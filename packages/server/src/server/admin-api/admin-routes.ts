/**
 * The admin API under /api, behind the bearer token or the dashboard's session: the overview, users
 * by KYC decision (the review queue), KYC status per user and per inquiry (with verifications and
 * event timelines), the event inbox, and
 * replay; and the outbox: application endpoints, outbound deliveries with their attempts, and their
 * replay. Each resource's routes are in their own file; this one puts them behind the same auth.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from 'persona-webhooks';
import { DEFAULT_DESTINATION_POLICY } from '../../outbound/destination-policy.js';
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';
import type { MinuteCounter } from '../observability/minute-counter.js';
import type { RouteRegistry } from '../openapi/route-registry.js';
import type { AdminAuth } from './admin-auth.js';
import { registerDeliveryControlRoutes } from './delivery-control-routes.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { type OutboundControls, registerEndpointControlRoutes } from './endpoint-control-routes.js';
import { registerEndpointRoutes } from './endpoint-routes.js';
import { registerEventReplayRoutes } from './event-replay-routes.js';
import { registerEventRoutes } from './event-routes.js';
import { registerInquiryRoutes } from './inquiry-routes.js';
import { registerKycRoutes } from './kyc-routes.js';
import { registerServiceRoutes } from './service-routes.js';

export interface AdminRoutesOptions {
  store: Store;
  auth: AdminAuth;
  invalidSignatures: MinuteCounter;
  /** How long payloads are kept: says roughly when a purged payload went. */
  retentionMs: number;
  /** Reconciliation's status for `GET /api/reconcile`; absent: reported as off. */
  reconcile?: ReconcileStatus;
  /** Where the routes are declared (and so described in /openapi.json). */
  routes: RouteRegistry;
  /** What the setup guide lists: the events the service's KYC policy reads. */
  policyEvents: readonly string[];
  /** Whether they come from a policy file (PERSONA_WEBHOOKS_POLICY). */
  policyFromFile: boolean;
  /** Where Persona's webhook must point. */
  receiverPath: string;
  /** The outbound settings the delivery controls use (test messages); absent: the defaults. */
  outbound?: OutboundControls;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminRoutesOptions): void {
  const context = { store: options.store, routes: options.routes };

  app.register(async (api) => {
    api.addHook('onRequest', options.auth.authenticate);
    api.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    registerServiceRoutes(api, {
      ...context,
      invalidSignatures: options.invalidSignatures,
      policyEvents: options.policyEvents,
      policyFromFile: options.policyFromFile,
      receiverPath: options.receiverPath,
      ...(options.reconcile ? { reconcile: options.reconcile } : {}),
    });
    registerKycRoutes(api, context);
    registerInquiryRoutes(api, context);
    registerEventRoutes(api, { ...context, retentionMs: options.retentionMs });
    registerEventReplayRoutes(api, context);
    registerEndpointRoutes(api, context);
    registerEndpointControlRoutes(api, {
      ...context,
      outbound: options.outbound ?? {
        policy: DEFAULT_DESTINATION_POLICY,
        servicePort: () => 0,
        timeoutMs: 10_000,
      },
    });
    registerDeliveryRoutes(api, context);
    registerDeliveryControlRoutes(api, context);
  });
}
