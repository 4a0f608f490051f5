/**
 * What the admin API's route files share: who may call a route (its tag and auth), the page fields of
 * every cursor-paged list, and the path parameters several resources name the same way.
 */
import { DEFAULT_LIST_LIMIT, MAX_ID_CHARS, MAX_LIST_LIMIT, type Store } from 'persona-webhooks';
import { z } from 'zod';
import type { RouteRegistry } from '../openapi/route-registry.js';

/** What each route file registers its routes with. */
export interface AdminRouteContext {
  store: Store;
  /** Where the routes are declared (and so described in /openapi.json). */
  routes: RouteRegistry;
}

/** Routes for the admin token or the dashboard's session only. */
export const ADMIN_API = { tag: 'Admin API', auth: 'admin' } as const;
/** Routes an application's read-only app token may call too. */
export const KYC_STATUS_API = { tag: 'KYC status', auth: 'app' } as const;

/** A time in a query, as epoch milliseconds. */
export const isoTimeQuery = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value));

/** A list's page size and position, as every cursor-paged list takes them. */
export const pageFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .default(DEFAULT_LIST_LIMIT)
    .describe('Page size.'),
  cursor: z.string().min(1).max(500).optional().describe("A previous page's `nextCursor`."),
};

/** One path parameter `id`, described for the document. */
export const idParam = (description: string) =>
  z.object({ id: z.string().min(1).max(MAX_ID_CHARS).describe(description) });
export const eventIdParam = idParam('The Persona event id (`evt_…`).');
export const deliveryIdParam = idParam('The message id (`msg_…`), which is also its `webhook-id`.');

/** How many events a user's or an inquiry's timeline returns. */
export const timelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(500).describe('Most events returned (the newest).'),
});
