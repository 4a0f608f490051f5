/**
 * KYC status per user in the admin API: users by decision (the review queue), one user's decision with
 * its inquiries and verifications, and the events that shaped it. The first two are open to app tokens.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { timelineAnswer } from '../answers/event-answers.js';
import { kycAnswer } from '../answers/kyc-answers.js';
import { NotFoundError } from '../http/http-errors.js';
import { kycDecisionSchema } from '../openapi/kyc-decision-changed-event.js';
import {
  ADMIN_API,
  type AdminRouteContext,
  idParam,
  isoTimeQuery,
  KYC_STATUS_API,
  pageFields,
  timelineQuery,
} from './admin-route-parts.js';
import { kycJson, timelineJson } from './admin-views.js';
import { kycPageJson, kycPageSchema } from './kyc-list-view.js';

const kycListQuery = z.object({
  decision: kycDecisionSchema
    .optional()
    .describe('Only users with this decision: `needs_review` is the review queue.'),
  changedSince: isoTimeQuery
    .optional()
    .describe('Only users whose decision or its reasons changed at or after this time.'),
  ...pageFields,
});
const referenceIdParam = idParam("The user's Persona reference-id (your own user id).");

export function registerKycRoutes(api: FastifyInstance, { store, routes }: AdminRouteContext): void {
  routes.route(
    api,
    {
      ...KYC_STATUS_API,
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
      ...KYC_STATUS_API,
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
      const verifications = await store.listVerifications(kyc.inquiries.map((inquiry) => inquiry.inquiryId));
      return kycJson(kyc, verifications);
    },
  );

  routes.route(
    api,
    {
      ...ADMIN_API,
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
}
