/** Outbound `kyc.decision_changed` messages in the admin API: filtered and paged, and one in full. */
import type { FastifyInstance } from 'fastify';
import { MAX_ID_CHARS } from 'persona-webhooks';
import { z } from 'zod';
import { deliveryDetailAnswer, deliveryPageAnswer } from '../answers/outbox-answers.js';
import { NotFoundError } from '../http/http-errors.js';
import { ADMIN_API, type AdminRouteContext, deliveryIdParam } from './admin-route-parts.js';
import { deliveryDetailJson, deliveryJson } from './admin-views.js';

const deliveriesQuery = z.object({
  status: z.enum(['pending', 'sending', 'delivered', 'dead']).optional(),
  endpointId: z.string().min(1).max(MAX_ID_CHARS).optional().describe('Only this endpoint (`ep_…`).'),
  referenceId: z.string().min(1).max(MAX_ID_CHARS).optional().describe("Only this user's messages."),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Page size.'),
  cursor: z
    .string()
    .min(1)
    .max(100)
    // The store reads a cursor it did not write as "before the first message" (an empty page):
    // refused here instead, like the events list's.
    .refine((cursor) => {
      const seq = Number(Buffer.from(cursor, 'base64url').toString());
      return Number.isSafeInteger(seq) && seq > 0;
    }, "not a previous page's nextCursor")
    .optional()
    .describe("A previous page's `nextCursor`."),
});

export function registerDeliveryRoutes(api: FastifyInstance, { store, routes }: AdminRouteContext): void {
  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/deliveries',
      summary: 'Outbound `kyc.decision_changed` messages, newest first, filtered and paged',
      query: deliveriesQuery,
      responses: {
        200: {
          description: 'One page of messages, and `nextCursor` for the next (null on the last).',
          schema: deliveryPageAnswer,
        },
      },
    },
    async ({ query }) => {
      const page = await store.listDeliveries({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.endpointId ? { endpointId: query.endpointId } : {}),
        ...(query.referenceId ? { referenceId: query.referenceId } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { deliveries: page.deliveries.map(deliveryJson), nextCursor: page.nextCursor };
    },
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/deliveries/:id',
      summary: 'One outbound message with its body and every attempt',
      params: deliveryIdParam,
      responses: {
        200: { description: 'The message.', schema: deliveryDetailAnswer },
        404: '`not_found`: no such message.',
      },
    },
    async ({ params: { id } }) => {
      const delivery = await store.getDelivery(id);
      if (!delivery) throw new NotFoundError(`Message "${id.slice(0, 100)}"`);
      return deliveryDetailJson(delivery);
    },
  );
}
