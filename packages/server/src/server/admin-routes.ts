/**
 * The admin API under /api, behind the bearer token or the dashboard's session: the overview, KYC
 * status per user and per inquiry (with verifications and event timelines), the event inbox, and
 * replay.
 */
import type { FastifyInstance } from 'fastify';
import { type EventDetail, MAX_ID_CHARS, type Store } from 'persona-webhooks';
import { z } from 'zod';
import type { ReconcileStatus } from '../reconcile/reconcile-service.js';
import type { AdminAuth } from './admin-auth.js';
import {
  eventDetailJson,
  eventSummaryJson,
  inquiryJson,
  kycJson,
  type PayloadRemoval,
  timelineJson,
} from './admin-views.js';
import { ConflictError, InvalidQueryError, NotFoundError } from './http-errors.js';
import type { MinuteCounter } from './minute-counter.js';
import { buildOverview } from './overview.js';
import { reconcileJson } from './reconcile-view.js';

const isoTime = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

const listQuery = z.object({
  status: z.enum(['pending', 'processing', 'done', 'dead']).optional(),
  name: z.string().min(1).max(200).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  q: z.string().trim().min(1).max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

const idParam = z.object({ id: z.string().min(1).max(MAX_ID_CHARS) });
const timelineQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(500) });
/** Replays at most one page of the dashboard's table at a time. */
const replayBody = z.object({ ids: z.array(z.string().min(1).max(MAX_ID_CHARS)).min(1).max(500) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidQueryError(
      result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

export interface AdminRoutesOptions {
  store: Store;
  auth: AdminAuth;
  invalidSignatures: MinuteCounter;
  /** How long payloads are kept: says roughly when a purged payload went. */
  retentionMs: number;
  /** Reconciliation's status for `GET /api/reconcile`; absent: reported as off. */
  reconcile?: ReconcileStatus;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminRoutesOptions): void {
  const { store } = options;

  /** Why a payload is gone: its inquiry's redaction, else retention (estimated from its age). */
  const payloadRemoval = async (event: EventDetail): Promise<PayloadRemoval | null> => {
    if (event.payload !== null) return null;
    const inquiry = event.inquiryId ? await store.getInquiry(event.inquiryId) : null;
    if (inquiry?.redactedAtMs != null) return { state: 'redacted', atMs: inquiry.redactedAtMs };
    const purgeDueMs = event.receivedAtMs + options.retentionMs;
    // Removed before retention was due: only a redaction (e.g. of the account) does that.
    return purgeDueMs <= Date.now()
      ? { state: 'purged', atMs: purgeDueMs }
      : { state: 'redacted', atMs: null };
  };

  app.register(async (api) => {
    api.addHook('onRequest', options.auth.authenticate);
    api.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store');
    });

    api.get('/api/overview', async () =>
      buildOverview(store, options.invalidSignatures, Date.now(), options.reconcile),
    );

    api.get('/api/kyc/:id', async (request) => {
      const { id } = parse(idParam, request.params);
      const kyc = await store.getKyc(id);
      if (!kyc) throw new NotFoundError(`No inquiry with reference id "${id.slice(0, 100)}"`);
      const verifications = await store.listVerifications(kyc.inquiries.map((inquiry) => inquiry.inquiryId));
      return kycJson(kyc, verifications);
    });

    api.get('/api/kyc/:id/events', async (request) => {
      const { id } = parse(idParam, request.params);
      const { limit } = parse(timelineQuery, request.query);
      return timelineJson(await store.timeline({ referenceId: id, limit }));
    });

    api.get('/api/inquiries/:id', async (request) => {
      const { id } = parse(idParam, request.params);
      const inquiry = await store.getInquiry(id);
      if (!inquiry) throw new NotFoundError(`Inquiry "${id.slice(0, 100)}"`);
      return inquiryJson(inquiry, await store.listVerifications([id]));
    });

    api.get('/api/inquiries/:id/events', async (request) => {
      const { id } = parse(idParam, request.params);
      const { limit } = parse(timelineQuery, request.query);
      return timelineJson(await store.timeline({ inquiryId: id, limit }));
    });

    api.get('/api/events', async (request) => {
      const query = parse(listQuery, request.query);
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
    });

    api.get('/api/events/:id', async (request) => {
      const { id } = parse(idParam, request.params);
      const event = await store.getEvent(id);
      if (!event) throw new NotFoundError(`Event "${id.slice(0, 100)}"`);
      return eventDetailJson(event, await payloadRemoval(event));
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

    api.post('/api/events/replay', async (request, reply) => {
      const { ids } = parse(replayBody, request.body);
      const replayed: string[] = [];
      const skipped: string[] = [];
      for (const id of new Set(ids)) {
        // replay() refuses queued and unknown events itself, so a stale page cannot double-queue.
        ((await store.replay(id, Date.now())) === 'replayed' ? replayed : skipped).push(id);
      }
      return reply.code(202).send({ replayed: replayed.length, skipped });
    });
  });
}
