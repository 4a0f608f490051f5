/**
 * The KYC policy file a command reads the policy's events from: `--policy`, else the service's
 * PERSONA_WEBHOOKS_POLICY, so `webhooks create` and `doctor` need the same events the service decides by.
 */
import { kycPolicyEvents } from 'persona-webhooks';
import { policySettings } from '../server/config/policy-file.js';

export const POLICY_OPTION = [
  '--policy <path>',
  "the KYC policy file (default: PERSONA_WEBHOOKS_POLICY, as the service's)",
] as const;

/**
 * Every event the policy reads; throws ConfigError naming the file and key when the file is wrong.
 *
 * @example
 * policyEventsFor(flags.policy); // ['inquiry.created', …, 'case.resolved', …, 'report/watchlist.matched', …]
 */
export function policyEventsFor(flag: string | undefined): string[] {
  const policyFile = flag ?? process.env['PERSONA_WEBHOOKS_POLICY'] ?? null;
  return kycPolicyEvents(policySettings({ policyFile }));
}
