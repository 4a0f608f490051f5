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
export { buildApp } from './app.js';
export { ConfigError, loadConfig, type ServiceConfig } from './config.js';
export { createLogger } from './logger.js';
export { createMetrics } from './metrics.js';
export { type RunningService, startService } from './service.js';
