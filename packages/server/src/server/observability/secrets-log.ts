/** The start-up log line about endpoint secrets at rest: counts only, never a secret or a key. */
import type { SecretsAtRestReport } from '../../secrets-at-rest/sealed-store.js';
import type { Logger } from './logger.js';

export function logSecretsAtRest(logger: Logger, report: SecretsAtRestReport): void {
  if (report.sealed + report.resealed + report.expiredRemoved > 0) {
    logger.info({ ...report }, 'endpoint secrets at rest updated');
  }
  if (report.inClear > 0) {
    logger.warn(
      { inClear: report.inClear },
      'endpoint signing secrets are stored in clear: set PERSONA_WEBHOOKS_SECRETS_KEYS (kid:base64 of 32 random bytes) to encrypt them',
    );
  }
}
