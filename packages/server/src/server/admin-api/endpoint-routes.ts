/** The application endpoints `kyc.decision_changed` goes to, in the admin API (never a secret value). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { endpointsAnswer } from '../answers/outbox-answers.js';
import { ADMIN_API, type AdminRouteContext } from './admin-route-parts.js';
import { endpointJson } from './admin-views.js';
import { BACKLOG_COUNT_LIMIT, endpointBacklog } from './endpoint-backlog.js';

const endpointsQuery = z.object({
  backlog: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe(
      `Also count each endpoint's pending and dead messages (up to ${BACKLOG_COUNT_LIMIT} each) and give its newest error.`,
    ),
});

export function registerEndpointRoutes(api: FastifyInstance, { store, routes }: AdminRouteContext): void {
  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/endpoints',
      summary: 'The application endpoints `kyc.decision_changed` is sent to (never a secret value)',
      query: endpointsQuery,
      responses: {
        200: {
          description: 'Every endpoint, with when each of its secrets expires (null: never).',
          schema: endpointsAnswer,
        },
      },
    },
    async ({ query }) => {
      const endpoints = await store.listEndpoints();
      return {
        endpoints: await Promise.all(
          endpoints.map(async (endpoint) =>
            endpointJson(endpoint, query.backlog ? await endpointBacklog(store, endpoint.id) : undefined),
          ),
        ),
      };
    },
  );
}
