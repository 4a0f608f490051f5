/**
 * The store as the service and the CLI use it when secrets are encrypted at rest: endpoint secrets are
 * sealed on their way in and opened on their way out to the sender, so nothing else in the service
 * changes and the library keeps storing opaque strings. Why here and not in the library: the library
 * is zero-dependency and driver-agnostic, the keys are the service's configuration, and wrapping the
 * one `Store` that `openStore` returns covers the SQLite thread and PostgreSQL alike.
 *
 * Expired rotation secrets are dropped whenever an endpoint is written, so they do not stay in the
 * database (or its backups) after they stopped signing.
 */
import type { AppEndpoint, ClaimedDelivery, EndpointSecret, Store } from 'persona-webhooks';
import { ConfigError } from '../server/config/config-error.js';
import { isSealed, type Keyring, open, SECRETS_KEYS_SETTING, seal, sealedWith } from './keyring.js';

/** Wraps `store` so that endpoint secrets are sealed with `keyring` (in clear when it has no key). */
export function withSealedSecrets<S extends Store>(
  store: S,
  keyring: Keyring,
  now: () => number = Date.now,
): S {
  const openAll = (endpoint: AppEndpoint): AppEndpoint => ({
    ...endpoint,
    // A secret no listed key opens stays sealed: it shows (only its expiry is shown) but never signs.
    secrets: endpoint.secrets.map((s) => ({
      ...s,
      secret: open(keyring, endpoint.id, s.secret) ?? s.secret,
    })),
  });
  return {
    ...store,
    async putEndpoint(endpoint) {
      if (keyring.keys.length === 0) await refuseClearBesideSealed(store);
      const nowMs = now();
      const secrets: EndpointSecret[] = endpoint.secrets
        .filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs)
        .map((s) => ({ ...s, secret: seal(keyring, endpoint.id, s.secret) }));
      await store.putEndpoint({ ...endpoint, secrets });
    },
    async listEndpoints() {
      return (await store.listEndpoints()).map(openAll);
    },
    async claimDeliveries(options) {
      const claims = await store.claimDeliveries(options);
      return claims.map(
        (claim): ClaimedDelivery => ({
          ...claim,
          // The sender signs with what opens; none opening reads "the endpoint has no valid secret".
          secrets: claim.secrets.flatMap((s) => {
            const opened = open(keyring, claim.endpointId, s);
            return opened === null ? [] : [opened];
          }),
        }),
      );
    },
  };
}

/**
 * Without a key, a secret written beside sealed ones would sit in clear in a database the operator
 * meant to encrypt: refuse, naming the setting.
 */
async function refuseClearBesideSealed(store: Store): Promise<void> {
  const sealed = (await store.listEndpoints()).some((e) => e.secrets.some((s) => isSealed(s.secret)));
  if (sealed) throw missingKeyError();
}

function missingKeyError(): ConfigError {
  return new ConfigError(
    `The database holds encrypted endpoint secrets but ${SECRETS_KEYS_SETTING} is not set: give the keys they were encrypted with (kid:base64, comma-separated).`,
  );
}

/** What {@link prepareSecretsAtRest} did, for the start-up log (counts only). */
export interface SecretsAtRestReport {
  /** Secrets found in clear and now sealed. */
  sealed: number;
  /** Secrets sealed under another listed key, now under the first. */
  resealed: number;
  /** Expired rotation secrets removed. */
  expiredRemoved: number;
  /** Secrets left in clear because no key is configured. */
  inClear: number;
}

/**
 * At start (service, `migrate`): refuses sealed secrets without a key or under a key no longer
 * listed (naming the setting); seals secrets still in clear, re-seals those under an older key and
 * drops expired ones. `store` is the unwrapped store: it sees what is really stored.
 *
 * @example
 * const report = await prepareSecretsAtRest(rawStore, parseKeyring(process.env.PERSONA_WEBHOOKS_SECRETS_KEYS));
 */
export async function prepareSecretsAtRest(
  store: Pick<Store, 'listEndpoints' | 'putEndpoint'>,
  keyring: Keyring,
  now: () => number = Date.now,
): Promise<SecretsAtRestReport> {
  const report: SecretsAtRestReport = { sealed: 0, resealed: 0, expiredRemoved: 0, inClear: 0 };
  const endpoints = await store.listEndpoints();
  const listed = new Set(keyring.keys.map((k) => k.id));
  for (const endpoint of endpoints) {
    for (const { secret } of endpoint.secrets) {
      const kid = sealedWith(secret);
      if (kid === null) continue;
      if (listed.size === 0) throw missingKeyError();
      if (!listed.has(kid)) {
        throw new ConfigError(
          `Endpoint ${endpoint.id}'s secret is encrypted with key "${kid}", which ${SECRETS_KEYS_SETTING} does not list: keep that key listed (after the new first one) until the service has started once.`,
        );
      }
      if (open(keyring, endpoint.id, secret) === null) {
        throw new ConfigError(
          `Endpoint ${endpoint.id}'s secret does not open with key "${kid}" of ${SECRETS_KEYS_SETTING}: the key under that id is not the one it was encrypted with.`,
        );
      }
    }
  }
  const first = keyring.keys[0]?.id ?? null;
  const nowMs = now();
  for (const endpoint of endpoints) {
    const live = endpoint.secrets.filter((s) => s.expiresAtMs === null || s.expiresAtMs > nowMs);
    const expired = endpoint.secrets.length - live.length;
    const clear = live.filter((s) => !isSealed(s.secret)).length;
    const older = live.filter((s) => isSealed(s.secret) && sealedWith(s.secret) !== first).length;
    if (first === null) report.inClear += clear;
    const changes = expired + (first === null ? 0 : clear + older);
    if (changes === 0) continue;
    const secrets = live.map((s) => {
      if (first === null) return s;
      const plain = open(keyring, endpoint.id, s.secret);
      return { ...s, secret: seal(keyring, endpoint.id, plain ?? s.secret) };
    });
    // Re-sealing an older key's secret: open gives the plain text, seal uses the first key.
    await store.putEndpoint({ ...endpoint, secrets });
    report.expiredRemoved += expired;
    if (first !== null) {
      report.sealed += clear;
      report.resealed += older;
    }
  }
  return report;
}
