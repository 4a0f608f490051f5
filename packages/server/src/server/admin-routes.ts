/**
 * The admin API under /api, behind the bearer token: KYC status per user and per inquiry, the event
 * inbox, and replay.
 */
import type { FastifyInstance } from 'fastify';
import { MAX_ID_CHARS, type Store } from 'persona-webhooks';
import { z } from 'zod';
import type { ReconcileStatus } from '../reconcile/reconcile-service.js';
import { createAdminAuth } from './admin-auth.js';
import { eventDetailJson, eventSummaryJson, inquiryJson, kycJson } from './admin-views.js';
import { ConflictError, InvalidQueryError, NotFoundError } from './http-errors.js';
import { reconcileJson } from './reconcile-view.js';

const listQuery = z.object({
  status: z.enum(['pending', 'processing', 'done', 'dead']).optional(),
  name: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

const idParam = z.object({ id: z.string().min(1).max(MAX_ID_CHARS) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidQueryError(
      result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

export function registerAdminRoutes(
  app: FastifyInstance,
  options: { store: Store; adminToken: string; reconcile?: ReconcileStatus },
): void {
  const { store } = options;
  const authenticate = createAdminAuth(options.adminToken);

  app.register(async (api) => {
    api.addHook('onRequest', authenticate);

    api.get('/api/kyc/:id', async (request) => {
      const { id } = parse(idParam, request.params);
      const kyc = await store.getKyc(id);
      if (!kyc) throw new NotFoundError(`No inquiry with reference id "${id.slice(0, 100)}"`);
      return kycJson(kyc);
    });

    api.get('/api/inquiries/:id', async (request) => {
      const { id } = parse(idParam, request.params);
      const inquiry = await store.getInquiry(id);
      if (!inquiry) throw new NotFoundError(`Inquiry "${id.slice(0, 100)}"`);
      return inquiryJson(inquiry);
    });

    api.get('/api/events', async (request) => {
      const query = parse(listQuery, request.query);
      const page = await store.listEvents({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.name ? { name: query.name } : {}),
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      return { events: page.events.map(eventSummaryJson), nextCursor: page.nextCursor };
    });

    api.get('/api/events/:id', async (request) => {
      const { id } = parse(idParam, request.params);
      const event = await store.getEvent(id);
      if (!event) throw new NotFoundError(`Event "${id.slice(0, 100)}"`);
      return eventDetailJson(event);
    });

    api.get('/api/reconcile', async () =>
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

    api.post('/api/events/:id/replay', async (request, reply) => {
      const { id } = parse(idParam, request.params);
      const outcome = await store.replay(id, Date.now());
      if (outcome === 'not_found') throw new NotFoundError(`Event "${id.slice(0, 100)}"`);
      if (outcome === 'already_queued') {
        throw new ConflictError(`Event ${id} is already queued; it will be processed without a replay.`);
      }
      return reply.code(202).send({ outcome, id });
    });
  });
}
