/** One inquiry in the admin API: its status and verifications (open to app tokens), and its timeline. */
import type { FastifyInstance } from 'fastify';
import { timelineAnswer } from '../answers/event-answers.js';
import { inquiryAnswer } from '../answers/kyc-answers.js';
import { NotFoundError } from '../http/http-errors.js';
import {
  ADMIN_API,
  type AdminRouteContext,
  idParam,
  KYC_STATUS_API,
  timelineQuery,
} from './admin-route-parts.js';
import { inquiryJson, timelineJson } from './admin-views.js';

const inquiryIdParam = idParam('The Persona inquiry id (`inq_…`).');

export function registerInquiryRoutes(api: FastifyInstance, { store, routes }: AdminRouteContext): void {
  routes.route(
    api,
    {
      ...KYC_STATUS_API,
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
      ...ADMIN_API,
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
}
