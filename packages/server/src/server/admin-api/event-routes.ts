/** The event inbox in the admin API: stored events filtered and paged, and one event in full. */
import type { FastifyInstance } from 'fastify';
import type { EventDetail, Store } from 'persona-webhooks';
import { z } from 'zod';
import { eventDetailAnswer, eventPageAnswer } from '../answers/event-answers.js';
import { NotFoundError } from '../http/http-errors.js';
import {
  ADMIN_API,
  type AdminRouteContext,
  eventIdParam,
  isoTimeQuery,
  pageFields,
} from './admin-route-parts.js';
import { eventDetailJson, eventSummaryJson, type PayloadRemoval } from './admin-views.js';

const listQuery = z.object({
  status: z.enum(['pending', 'processing', 'done', 'dead']).optional(),
  name: z.string().min(1).max(200).optional().describe('Event name, e.g. `inquiry.approved`.'),
  from: isoTimeQuery.optional().describe('Received at or after this time.'),
  to: isoTimeQuery.optional().describe('Received before this time.'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .optional()
    .describe("An exact id: the event's, its object's, its inquiry's, or a reference id."),
  ...pageFields,
});

export interface EventRoutesOptions extends AdminRouteContext {
  /** How long payloads are kept: says roughly when a purged payload went. */
  retentionMs: number;
}

export function registerEventRoutes(api: FastifyInstance, options: EventRoutesOptions): void {
  const { store, routes } = options;

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/events',
      summary: 'Stored events, newest received first, filtered and paged',
      query: listQuery,
      responses: {
        200: {
          description: 'One page of events, and `nextCursor` for the next (null on the last).',
          schema: eventPageAnswer,
        },
      },
    },
    async ({ query }) => {
      const page = await store.listEvents({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.name ? { name: query.name } : {}),
        ...(query.from !== undefined ? { receivedFromMs: query.from } : {}),
        ...(query.to !== undefined ? { receivedBeforeMs: query.to } : {}),
        ...(query.q ? { search: query.q } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { events: page.events.map(eventSummaryJson), nextCursor: page.nextCursor };
    },
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
      method: 'GET',
      url: '/api/events/:id',
      summary: 'One event with its attempts and payload (or why the payload is gone)',
      params: eventIdParam,
      responses: {
        200: { description: 'The event.', schema: eventDetailAnswer },
        404: '`not_found`: no such event.',
      },
    },
    async ({ params: { id } }) => {
      const event = await store.getEvent(id);
      if (!event) throw new NotFoundError(`Event "${id.slice(0, 100)}"`);
      return eventDetailJson(event, await payloadRemoval(store, options.retentionMs, event));
    },
  );
}

/** Why a payload is gone: its inquiry's redaction, else retention (estimated from its age). */
async function payloadRemoval(
  store: Pick<Store, 'getInquiry'>,
  retentionMs: number,
  event: EventDetail,
): Promise<PayloadRemoval | null> {
  if (event.payload !== null) return null;
  const inquiry = event.inquiryId ? await store.getInquiry(event.inquiryId) : null;
  if (inquiry?.redactedAtMs != null) return { state: 'redacted', atMs: inquiry.redactedAtMs };
  const purgeDueMs = event.receivedAtMs + retentionMs;
  // Removed before retention was due: only a redaction (e.g. of the account) does that.
  return purgeDueMs <= Date.now() ? { state: 'purged', atMs: purgeDueMs } : { state: 'redacted', atMs: null };
}
