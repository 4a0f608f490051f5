/**
 * The destination checks that need the network or the environment, shared by `endpoints add` and the
 * start-up sync of PERSONA_WEBHOOKS_APP_ENDPOINTS: the host's current addresses against the policy.
 * A host that does not resolve now is accepted (it may later); every connection is checked anyway.
 */
import { ConfigError } from '../server/config/config-error.js';
import type { DestinationPolicy } from './destination-policy.js';
import { checkDestination } from './guarded-connect.js';
import { portOf, type Resolve, systemResolve } from './self-target.js';

/** PERSONA_WEBHOOKS_OUTBOUND_PRIVATE as the CLI reads it (the service validates it in its config). */
export function destinationPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): DestinationPolicy {
  return { allowPrivate: env['PERSONA_WEBHOOKS_OUTBOUND_PRIVATE'] !== 'deny' };
}

/** Throws a ConfigError when `url`'s host resolves to a refused address now. */
export async function refuseResolvedDestination(
  url: string,
  policy: DestinationPolicy,
  resolve: Resolve = systemResolve,
  label = 'the URL',
): Promise<void> {
  const parsed = new URL(url);
  let outcome: Awaited<ReturnType<typeof checkDestination>>;
  try {
    outcome = await checkDestination(parsed.hostname, portOf(parsed), {
      policy,
      servicePort: () => 0,
      resolve,
    });
  } catch {
    return;
  }
  if ('refused' in outcome) throw new ConfigError(`${label} is refused: ${outcome.refused}`);
}
