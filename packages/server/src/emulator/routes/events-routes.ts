/** `GET /events` (newest first, cursor pages, `filter[name|object-id|id]`) and `GET /events/:id`. */
import type { FastifyInstance } from 'fastify';
import { paginate } from '../pagination.js';
import { inflectKeys } from '../persona-json.js';
import {
  API_PREFIX,
  queryOf,
  type RouteContext,
  requestedInflection,
  sendPersonaError,
} from './route-context.js';

export function registerEventsRoutes(app: FastifyInstance, context: RouteContext): void {
  const { state } = context;

  app.get(`${API_PREFIX}/events`, async (request) => {
    const query = queryOf(request);
    const names = list(query['filter[name]']);
    const ids = list(query['filter[id]']);
    const objectId = query['filter[object-id]'];
    const matching = state
      .eventsNewestFirst()
      .filter(
        (event) =>
          (!names || names.includes(event.name)) &&
          (!ids || ids.includes(event.id)) &&
          (!objectId || event.objectId === objectId),
      );
    const page = paginate(matching, {
      query,
      path: `${API_PREFIX}/events`,
      maxPageSize: context.maxPageSize,
    });
    const inflection = requestedInflection(request);
    return { data: page.items.map((event) => inflectKeys(event.resource, inflection)), links: page.links };
  });

  app.get<{ Params: { id: string } }>(`${API_PREFIX}/events/:id`, async (request, reply) => {
    const event = state.getEvent(request.params.id);
    if (!event)
      return sendPersonaError(reply, 404, 'Record not found', `No event ${request.params.id.slice(0, 64)}`);
    return { data: inflectKeys(event.resource, requestedInflection(request)) };
  });
}

/** A comma-separated filter value as a list, or undefined when absent. */
function list(value: string | undefined): string[] | undefined {
  return value === undefined || value === '' ? undefined : value.split(',').map((item) => item.trim());
}
