/**
 * `POST /webhook-events/search`: delivery records filtered by a small query language — predicates
 * `{attribute, operator, value}` combined with `and` / `or` — on `status`, `webhook_id`, `event_id`,
 * `event_name`, `webhook_event_id` (`eq`) and `updated_at` (`eq`, `gt`, `gte`, `lt`, `lte`). Newest
 * update first, cursor pages like every list.
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatedDelivery } from '../emulator-model.js';
import { paginate } from '../pagination.js';
import { deliveryJson } from '../persona-json.js';
import { API_PREFIX, queryOf, type RouteContext, sendPersonaError } from './route-context.js';

/** Raised for a query the language does not allow; answered 400. */
class QueryError extends Error {}

const EQ_ATTRIBUTES: Readonly<Record<string, (d: EmulatedDelivery) => string>> = {
  status: (d) => d.status,
  webhook_id: (d) => d.webhookId,
  event_id: (d) => d.eventId,
  event_name: (d) => d.eventName,
  webhook_event_id: (d) => d.id,
};

export function registerWebhookEventsRoutes(app: FastifyInstance, context: RouteContext): void {
  app.post(`${API_PREFIX}/webhook-events/search`, async (request, reply) => {
    const query = (request.body as { query?: unknown } | undefined)?.query;
    let matches: (delivery: EmulatedDelivery) => boolean;
    try {
      matches = query === undefined ? () => true : compile(query);
    } catch (error) {
      if (error instanceof QueryError) return sendPersonaError(reply, 400, 'Bad Request', error.message);
      throw error;
    }
    const found = context.state.deliveries
      .filter(matches)
      .sort((a, b) => b.updatedAtMs - a.updatedAtMs || b.seq - a.seq);
    const page = paginate(found, {
      query: queryOf(request),
      path: `${API_PREFIX}/webhook-events/search`,
      maxPageSize: context.maxPageSize,
    });
    return { data: page.items.map(deliveryJson), links: page.links };
  });
}

function compile(node: unknown): (delivery: EmulatedDelivery) => boolean {
  if (typeof node !== 'object' || node === null) throw new QueryError('query must be an object');
  const record = node as Record<string, unknown>;
  for (const combinator of ['and', 'or'] as const) {
    const parts = record[combinator];
    if (parts === undefined) continue;
    if (!Array.isArray(parts) || parts.length === 0)
      throw new QueryError(`${combinator} needs a list of predicates`);
    const compiled = parts.map(compile);
    return combinator === 'and'
      ? (delivery) => compiled.every((part) => part(delivery))
      : (delivery) => compiled.some((part) => part(delivery));
  }
  const { attribute, operator, value } = record;
  if (typeof attribute !== 'string' || typeof operator !== 'string' || typeof value !== 'string') {
    throw new QueryError('a predicate needs string attribute, operator and value');
  }
  if (attribute === 'updated_at') {
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new QueryError('updated_at needs an ISO 8601 time');
    const compare = COMPARATORS[operator];
    if (!compare) throw new QueryError(`updated_at supports eq, gt, gte, lt, lte; not ${operator}`);
    return (delivery) => compare(delivery.updatedAtMs, at);
  }
  const read = EQ_ATTRIBUTES[attribute];
  if (!read) throw new QueryError(`${attribute} is not searchable`);
  if (operator !== 'eq') throw new QueryError(`${attribute} supports only eq`);
  return (delivery) => read(delivery) === value;
}

const COMPARATORS: Readonly<Record<string, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b,
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
};
