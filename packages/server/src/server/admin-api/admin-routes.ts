/**
 * The admin API under /api, behind the bearer token or the dashboard's session: the overview, users
 * by KYC decision (the review queue), KYC status per user and per inquiry (with verifications and
 * event timelines), the event inbox, and
 * replay; and the outbox: application endpoints, outbound deliveries with their attempts, and their
 * replay.
 */
import type { FastifyInstance } from 'fastify';
import {
  DEFAULT_LIST_LIMIT,
  type EventDetail,
  MAX_ID_CHARS,
  MAX_LIST_LIMIT,
  type Store,
} from 'persona-webhooks';
import { z } from 'zod';
import { DEFAULT_DESTINATION_POLICY } from '../../outbound/destination-policy.js';
import type { ReconcileStatus } from '../../reconcile/reconcile-service.js';
import {
  eventDetailAnswer,
  eventPageAnswer,
  eventReplayAnswer,
  eventsReplayAnswer,
  timelineAnswer,
} from '../answers/event-answers.js';
import { inquiryAnswer, kycAnswer } from '../answers/kyc-answers.js';
import {
  deliveryDetailAnswer,
  deliveryPageAnswer,
  endpointsAnswer,
  replayDeliveryAnswer,
} from '../answers/outbox-answers.js';
import { overviewAnswer, reconcileAnswer, setupAnswer } from '../answers/service-answers.js';
import { ConflictError, NotFoundError } from '../http/http-errors.js';
import type { MinuteCounter } from '../observability/minute-counter.js';
import { kycDecisionSchema } from '../openapi/kyc-decision-changed-event.js';
import type { RouteRegistry } from '../openapi/route-registry.js';
import type { AdminAuth } from './admin-auth.js';
import {
  deliveryDetailJson,
  deliveryJson,
  endpointJson,
  eventDetailJson,
  eventSummaryJson,
  inquiryJson,
  kycJson,
  type PayloadRemoval,
  timelineJson,
} from './admin-views.js';
import { type OutboundControls, registerDeliveryControlRoutes } from './delivery-control-routes.js';
import { BACKLOG_COUNT_LIMIT, endpointBacklog } from './endpoint-backlog.js';
import { kycPageJson, kycPageSchema } from './kyc-list-view.js';
import { buildOverview } from './overview.js';
import { reconcileJson } from './reconcile-view.js';
import { webhookSetupJson } from './webhook-setup.js';

const isoTime = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

/** A list's page size and position, as every cursor-paged list takes them. */
const pageFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .default(DEFAULT_LIST_LIMIT)
    .describe('Page size.'),
  cursor: z.string().min(1).max(500).optional().describe("A previous page's `nextCursor`."),
};

const listQuery = z.object({
  status: z.enum(['pending', 'processing', 'done', 'dead']).optional(),
  name: z.string().min(1).max(200).optional().describe('Event name, e.g. `inquiry.approved`.'),
  from: isoTime.optional().describe('Received at or after this time.'),
  to: isoTime.optional().describe('Received before this time.'),
  q: z
    .string()
    .trim()
    .min(1)
    .max(300)
    .optional()
    .describe("An exact id: the event's, its object's, its inquiry's, or a reference id."),
  ...pageFields,
});

const kycListQuery = z.object({
  decision: kycDecisionSchema
    .optional()
    .describe('Only users with this decision: `needs_review` is the review queue.'),
  changedSince: isoTime
    .optional()
    .describe('Only users whose decision or its reasons changed at or after this time.'),
  ...pageFields,
});

/** One path parameter `id`, described for the document. */
const idParam = (description: string) =>
  z.object({ id: z.string().min(1).max(MAX_ID_CHARS).describe(description) });
const referenceIdParam = idParam("The user's Persona reference-id (your own user id).");
const inquiryIdParam = idParam('The Persona inquiry id (`inq_…`).');
const eventIdParam = idParam('The Persona event id (`evt_…`).');
const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(500).describe('Most events returned (the newest).'),
});
const deliveryIdParam = idParam('The message id (`msg_…`), which is also its `webhook-id`.');
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
const endpointsQuery = z.object({
  backlog: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true')
    .describe(
      `Also count each endpoint's pending and dead messages (up to ${BACKLOG_COUNT_LIMIT} each) and give its newest error.`,
    ),
});

/** Replays at most one page of the dashboard's table at a time. */
const replayBody = z.object({ ids: z.array(z.string().min(1).max(MAX_ID_CHARS)).min(1).max(500) });

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
  const { store, routes } = options;

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

    const admin = { tag: 'Admin API', auth: 'admin' } as const;
    const kyc = { tag: 'KYC status', auth: 'app' } as const;

    routes.route(
      api,
      {
        ...admin,
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
        ...admin,
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
        ...kyc,
        method: 'GET',
        url: '/api/kyc',
        summary: 'Users by KYC decision, newest decision change first, filtered and paged: the review queue',
        description:
          "`?decision=needs_review` lists the users a person must look at; `changedSince` lists what changed since a time (an application catching up after missed `kyc.decision_changed` messages). Each user comes with the decision's reasons and their newest inquiry; `GET /api/kyc/{id}` has the rest.",
        query: kycListQuery,
        responses: {
          200: {
            description: 'One page of users, and `nextCursor` for the next (null on the last).',
            schema: kycPageSchema,
          },
          400: '`invalid_request`: an unknown decision, a malformed time or a bad limit; `invalid_cursor`: a cursor no page gave.',
        },
      },
      async ({ query }) =>
        kycPageJson(
          await store.listKyc({
            limit: query.limit,
            ...(query.decision ? { decision: query.decision } : {}),
            ...(query.changedSince !== undefined ? { changedSinceMs: query.changedSince } : {}),
            ...(query.cursor ? { cursor: query.cursor } : {}),
          }),
        ),
    );

    routes.route(
      api,
      {
        ...kyc,
        method: 'GET',
        url: '/api/kyc/:id',
        summary: "A user's KYC decision, its reasons, and their inquiries and verifications",
        params: referenceIdParam,
        responses: {
          200: { description: "The user's status.", schema: kycAnswer },
          404: '`not_found`: no inquiry, account, case or report of this user is stored.',
        },
      },
      async ({ params: { id } }) => {
        const kyc = await store.getKyc(id);
        if (!kyc) throw new NotFoundError(`User with reference id "${id.slice(0, 100)}"`);
        const verifications = await store.listVerifications(
          kyc.inquiries.map((inquiry) => inquiry.inquiryId),
        );
        return kycJson(kyc, verifications);
      },
    );

    routes.route(
      api,
      {
        ...admin,
        method: 'GET',
        url: '/api/kyc/:id/events',
        summary: "The events that shaped a user's status, oldest first",
        params: referenceIdParam,
        query: timelineQuery,
        responses: { 200: { description: 'The timeline.', schema: timelineAnswer } },
      },
      async ({ params: { id }, query: { limit } }) =>
        timelineJson(await store.timeline({ referenceId: id, limit })),
    );

    routes.route(
      api,
      {
        ...kyc,
        method: 'GET',
        url: '/api/inquiries/:id',
        summary: 'One inquiry: its status and verifications',
        params: inquiryIdParam,
        responses: {
          200: { description: 'The inquiry.', schema: inquiryAnswer },
          404: '`not_found`: no such inquiry.',
        },
      },
      async ({ params: { id } }) => {
        const inquiry = await store.getInquiry(id);
        if (!inquiry) throw new NotFoundError(`Inquiry "${id.slice(0, 100)}"`);
        return inquiryJson(inquiry, await store.listVerifications([id]));
      },
    );

    routes.route(
      api,
      {
        ...admin,
        method: 'GET',
        url: '/api/inquiries/:id/events',
        summary: "The events that shaped an inquiry's status, oldest first",
        params: inquiryIdParam,
        query: timelineQuery,
        responses: { 200: { description: 'The timeline.', schema: timelineAnswer } },
      },
      async ({ params: { id }, query: { limit } }) =>
        timelineJson(await store.timeline({ inquiryId: id, limit })),
    );

    routes.route(
      api,
      {
        ...admin,
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
        ...admin,
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
        return eventDetailJson(event, await payloadRemoval(event));
      },
    );

    routes.route(
      api,
      {
        ...admin,
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

    routes.route(
      api,
      {
        ...admin,
        method: 'POST',
        url: '/api/events/:id/replay',
        summary: 'Put one done or dead event back in the queue',
        params: eventIdParam,
        responses: {
          202: { description: 'Queued again.', schema: eventReplayAnswer },
          404: '`not_found`: no such event.',
          409: '`conflict`: already queued; it will be processed without a replay.',
        },
      },
      async ({ params: { id } }, _request, reply) => {
        const outcome = await store.replay(id, Date.now());
        if (outcome === 'not_found') throw new NotFoundError(`Event "${id.slice(0, 100)}"`);
        if (outcome === 'already_queued') {
          throw new ConflictError(`Event ${id} is already queued; it will be processed without a replay.`);
        }
        return reply.code(202).send({ outcome, id });
      },
    );

    routes.route(
      api,
      {
        ...admin,
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

    routes.route(
      api,
      {
        ...admin,
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
        ...admin,
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

    routes.route(
      api,
      {
        ...admin,
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
        ...admin,
        method: 'POST',
        url: '/api/events/replay',
        summary: 'Put the done and dead events among these ids back in the queue',
        body: replayBody,
        responses: {
          202: {
            description: 'How many were queued again, and which ids were skipped (queued or unknown).',
            schema: eventsReplayAnswer,
          },
        },
      },
      async ({ body: { ids } }, _request, reply) => {
        const replayed: string[] = [];
        const skipped: string[] = [];
        for (const id of new Set(ids)) {
          // replay() refuses queued and unknown events itself, so a stale page cannot double-queue.
          ((await store.replay(id, Date.now())) === 'replayed' ? replayed : skipped).push(id);
        }
        return reply.code(202).send({ replayed: replayed.length, skipped });
      },
    );

    registerDeliveryControlRoutes(api, {
      store,
      routes,
      outbound: options.outbound ?? {
        policy: DEFAULT_DESTINATION_POLICY,
        servicePort: () => 0,
        timeoutMs: 10_000,
      },
    });
  });
}
