/**
 * Inquiries, enough to drive the KYC lifecycle by hand: create, list, retrieve, and the actions
 * approve, decline, expire, mark-for-review (Persona's), complete and fail (the emulator's stand-ins for
 * what the user does in the flow), and redact (`DELETE /inquiries/:id`, or `POST …/redact`). Each step
 * records the event Persona would, which is then delivered to the webhooks.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatedInquiry } from '../emulator-model.js';
import { INQUIRY_ACTIONS } from '../emulator-state.js';
import { paginate } from '../pagination.js';
import { inquiryJson } from '../persona-json.js';
import { API_PREFIX, attributesOf, queryOf, type RouteContext, sendPersonaError } from './route-context.js';

interface IdParams {
  Params: { id: string };
}

export function registerInquiriesRoutes(app: FastifyInstance, context: RouteContext): void {
  const { state } = context;
  const find = (id: string, reply: FastifyReply): EmulatedInquiry | null => {
    const inquiry = state.inquiries.get(id);
    if (!inquiry) void sendPersonaError(reply, 404, 'Record not found', `No inquiry ${id.slice(0, 64)}`);
    return inquiry ?? null;
  };

  app.post(`${API_PREFIX}/inquiries`, async (request, reply) => {
    const attributes = attributesOf(request.body);
    const referenceId = attributes['reference-id'];
    const accountId = attributes['account-id'];
    if (referenceId !== undefined && referenceId !== null && typeof referenceId !== 'string') {
      return sendPersonaError(reply, 400, 'Bad Request', 'reference-id must be a string');
    }
    const inquiry = state.createInquiry({
      referenceId: referenceId ?? null,
      ...(typeof accountId === 'string' ? { accountId } : {}),
    });
    return reply.code(201).send({ data: inquiryJson(inquiry) });
  });

  app.get(`${API_PREFIX}/inquiries`, async (request) => {
    const query = queryOf(request);
    const referenceId = query['filter[reference-id]'];
    const status = query['filter[status]'];
    const inquiries = [...state.inquiries.values()]
      .reverse()
      .filter((i) => (!referenceId || i.referenceId === referenceId) && (!status || i.status === status));
    const page = paginate(inquiries, {
      query,
      path: `${API_PREFIX}/inquiries`,
      maxPageSize: context.maxPageSize,
    });
    return { data: page.items.map(inquiryJson), links: page.links };
  });

  app.get<IdParams>(`${API_PREFIX}/inquiries/:id`, async (request, reply) => {
    const inquiry = find(request.params.id, reply);
    return inquiry ? { data: inquiryJson(inquiry) } : reply;
  });

  for (const action of Object.keys(INQUIRY_ACTIONS)) {
    app.post<IdParams>(`${API_PREFIX}/inquiries/:id/${action}`, async (request, reply) => {
      const inquiry = find(request.params.id, reply);
      return inquiry ? { data: inquiryJson(state.transitionInquiry(inquiry, action)) } : reply;
    });
  }

  const redact = async (request: { params: { id: string } }, reply: FastifyReply) => {
    const inquiry = find(request.params.id, reply);
    return inquiry ? { data: inquiryJson(state.redactInquiry(inquiry)) } : reply;
  };
  app.delete<IdParams>(`${API_PREFIX}/inquiries/:id`, redact);
  app.post<IdParams>(`${API_PREFIX}/inquiries/:id/redact`, redact);
}
