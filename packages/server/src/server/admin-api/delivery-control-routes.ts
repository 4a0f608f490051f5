/**
 * The controls of one outbound message in the admin API: send a delivered or dead message again, and
 * send a pending one now instead of at its next retry.
 */
import type { FastifyInstance } from 'fastify';
import { replayDeliveryAnswer, sendNowAnswer } from '../answers/outbox-answers.js';
import { ConflictError, NotFoundError } from '../http/http-errors.js';
import { ADMIN_API, type AdminRouteContext, deliveryIdParam } from './admin-route-parts.js';

export function registerDeliveryControlRoutes(
  api: FastifyInstance,
  { store, routes }: AdminRouteContext,
): void {
  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'POST',
      url: '/api/deliveries/:id/replay',
      summary: 'Send a delivered or dead message again (same `webhook-id`, a fresh set of attempts)',
      params: deliveryIdParam,
      responses: {
        200: {
          description:
            '`{"outcome": "already_queued"}`: it is pending or being sent; it goes without a replay.',
          schema: replayDeliveryAnswer,
        },
        202: {
          description: '`{"outcome": "replayed"}`: queued to be sent again.',
          schema: replayDeliveryAnswer,
        },
        404: '`not_found`: no such message.',
      },
    },
    async ({ params: { id } }, _request, reply) => {
      const outcome = await store.replayDelivery(id, Date.now());
      if (outcome === 'not_found') throw new NotFoundError(`Message "${id.slice(0, 100)}"`);
      return reply.code(outcome === 'replayed' ? 202 : 200).send({ outcome });
    },
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'POST',
      url: '/api/deliveries/:id/send-now',
      summary: 'Send a pending message now instead of at its next retry (its attempt count is kept)',
      params: deliveryIdParam,
      responses: {
        202: {
          description: '`{"outcome": "queued_now"}`: due now; the sender picks it up within a second.',
          schema: sendNowAnswer,
        },
        404: '`not_found`: no such message.',
        409: '`conflict`: the message is not pending (being sent, delivered or dead: replay a dead one).',
      },
    },
    async ({ params: { id } }, _request, reply) => {
      const outcome = await store.sendDeliveryNow(id, Date.now());
      if (outcome === 'not_found') throw new NotFoundError(`Message "${id.slice(0, 100)}"`);
      if (outcome === 'not_pending') {
        throw new ConflictError(
          `Message ${id} is not pending: it is being sent, delivered or dead (replay a dead one).`,
        );
      }
      return reply.code(202).send({ outcome });
    },
  );
}
