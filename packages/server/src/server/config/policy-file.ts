/**
 * The service's KYC policy: a policy file (PERSONA_WEBHOOKS_POLICY, JSON, the library's
 * `KycPolicySettings`) or a handlers module's `kycPolicy` function (PERSONA_WEBHOOKS_HANDLERS), else the
 * default. Read and checked before anything opens, so a wrong key or value stops the start naming it.
 */
import { readFileSync } from 'node:fs';
import {
  createKycPolicy,
  type KycPolicy,
  type KycPolicySettings,
  KycPolicySettingsError,
  parseKycPolicySettings,
} from 'persona-webhooks';
import { ConfigError } from './config-error.js';
import { loadKycPolicy } from './handlers-module.js';

/** Where the policy comes from; both may be null (the default policy). */
export interface PolicySource {
  /** PERSONA_WEBHOOKS_HANDLERS: a module whose `kycPolicy` export, if any, decides (it wins). */
  policyModule?: string | null;
  /** PERSONA_WEBHOOKS_POLICY: a JSON policy file. */
  policyFile?: string | null;
}

/**
 * The settings in a policy file; throws ConfigError naming the file, the key and what it must be.
 *
 * @example
 * readKycPolicyFile('./kyc-policy.json'); // { caseStatuses: { Accept: 'approved' }, … }
 */
export function readKycPolicyFile(path: string): KycPolicySettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`PERSONA_WEBHOOKS_POLICY: cannot read ${path} (${code}); check the path.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`PERSONA_WEBHOOKS_POLICY: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseKycPolicySettings(json);
  } catch (error) {
    if (error instanceof KycPolicySettingsError) {
      throw new ConfigError(`PERSONA_WEBHOOKS_POLICY: ${path}: ${error.message}`);
    }
    throw error;
  }
}

/** The settings the service decides by (the file's, or the defaults'): what events it needs, too. */
export function policySettings(source: PolicySource): KycPolicySettings {
  return source.policyFile ? readKycPolicyFile(source.policyFile) : {};
}

/**
 * The policy a store decides with; undefined means the library's default. A handlers module's
 * `kycPolicy` wins over a policy file (the file still names the events the service needs).
 */
export async function loadServicePolicy(source: PolicySource): Promise<KycPolicy | undefined> {
  const settings = source.policyFile ? readKycPolicyFile(source.policyFile) : undefined;
  const custom = source.policyModule ? await loadKycPolicy(source.policyModule) : undefined;
  if (custom) return custom;
  return settings ? createKycPolicy(settings) : undefined;
}
