/** The ready-to-run service as a library (`persona-webhooks/server`). */

// For a handlers module's `kycPolicy`: start from the default policy without depending on the library
// package by name (it comes with this one).
export {
  defaultKycPolicy,
  type KycDecision,
  type KycFacts,
  type KycPolicy,
  type KycReason,
} from 'persona-webhooks';
export { ConfigError, loadConfig, type ServiceConfig } from './config/service-config.js';
export { buildApp } from './http/app.js';
export { createLogger } from './observability/logger.js';
export { createMetrics } from './observability/metrics.js';
export { type RunningService, startService } from './service.js';
