/** Replay in the admin API: done or dead events put back in the queue, one or a page at a time. */
import type { FastifyInstance } from 'fastify';
import { MAX_ID_CHARS } from 'persona-webhooks';
import { z } from 'zod';
import { eventReplayAnswer, eventsReplayAnswer } from '../answers/event-answers.js';
import { ConflictError, NotFoundError } from '../http/http-errors.js';
import { ADMIN_API, type AdminRouteContext, eventIdParam } from './admin-route-parts.js';

/** Replays at most one page of the dashboard's table at a time. */
const replayBody = z.object({ ids: z.array(z.string().min(1).max(MAX_ID_CHARS)).min(1).max(500) });

export function registerEventReplayRoutes(api: FastifyInstance, { store, routes }: AdminRouteContext): void {
  routes.route(
    api,
    {
      ...ADMIN_API,
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
      ...ADMIN_API,
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
}
