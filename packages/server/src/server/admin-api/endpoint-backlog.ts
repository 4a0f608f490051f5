/**
 * How far behind each application endpoint is — messages waiting, dead, and the newest error — counted
 * from the store's delivery pages, so the dashboard shows a failing endpoint at a glance without a
 * store query of its own. Counts stop at one page (`BACKLOG_COUNT_LIMIT`): past that the exact number
 * matters less than that the endpoint is failing.
 */
import type { DeliveryStatus, DeliveryView, OutboxStore } from 'persona-webhooks';
import type { EndpointBacklog } from './admin-views.js';

/** The most messages counted per endpoint and status (the store's largest page). */
export const BACKLOG_COUNT_LIMIT = 500;

/** The backlog of one endpoint. */
export async function endpointBacklog(
  store: Pick<OutboxStore, 'listDeliveries'>,
  endpointId: string,
): Promise<EndpointBacklog> {
  const page = (status: DeliveryStatus) =>
    store.listDeliveries({ endpointId, status, limit: BACKLOG_COUNT_LIMIT });
  const [pending, sending, dead] = await Promise.all([page('pending'), page('sending'), page('dead')]);
  const undelivered: DeliveryView[] = [...pending.deliveries, ...sending.deliveries, ...dead.deliveries];
  // Newest message first: ids are not ordered, creation times are.
  const failed = undelivered
    .filter((delivery) => delivery.lastError !== null || delivery.lastStatusCode !== null)
    .sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
  return {
    pending: pending.deliveries.length + sending.deliveries.length,
    dead: dead.deliveries.length,
    countsCapped: [pending, sending, dead].some((p) => p.nextCursor !== null),
    lastError: failed?.lastError ?? null,
    lastStatusCode: failed?.lastStatusCode ?? null,
  };
}
