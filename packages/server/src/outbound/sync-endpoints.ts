/**
 * Puts the PERSONA_WEBHOOKS_APP_ENDPOINTS endpoints into the store at start-up, so the outbox (which
 * writes one message per enabled endpoint in the decision's transaction) knows them. An env endpoint
 * no longer listed is disabled, not deleted: its messages stay visible on the dashboard.
 */
import type { AppEndpoint, OutboxStore } from 'persona-webhooks';
import type { EnvEndpoint } from './outbound-config.js';

/** What the sync changed, by endpoint id, for the start-up log. */
export interface EndpointSync {
  synced: string[];
  disabled: string[];
}

/**
 * Writes each env endpoint (enabled, source `env`, its created-at kept) and disables the env endpoints
 * no longer listed; CLI endpoints are left alone.
 *
 * @example
 * await syncEnvEndpoints(store, config.outbound.endpoints, Date.now());
 */
export async function syncEnvEndpoints(
  store: Pick<OutboxStore, 'listEndpoints' | 'putEndpoint'>,
  endpoints: readonly EnvEndpoint[],
  nowMs: number,
): Promise<EndpointSync> {
  const existing = new Map((await store.listEndpoints()).map((endpoint) => [endpoint.id, endpoint]));
  const listed = new Set(endpoints.map((endpoint) => endpoint.id));
  for (const endpoint of endpoints) {
    const before = existing.get(endpoint.id);
    const next: AppEndpoint = {
      id: endpoint.id,
      url: endpoint.url,
      secrets: endpoint.secrets.map((secret) => ({ secret, expiresAtMs: null })),
      enabled: true,
      source: 'env',
      createdAtMs: before?.createdAtMs ?? nowMs,
    };
    await store.putEndpoint(next);
  }
  const disabled: string[] = [];
  for (const endpoint of existing.values()) {
    if (endpoint.source !== 'env' || listed.has(endpoint.id) || !endpoint.enabled) continue;
    await store.putEndpoint({ ...endpoint, enabled: false });
    disabled.push(endpoint.id);
  }
  return { synced: [...listed], disabled };
}
