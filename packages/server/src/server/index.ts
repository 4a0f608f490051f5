/** The ready-to-run service as a library (`persona-webhooks/server`). */
export { buildApp } from './app.js';
export { ConfigError, loadConfig, type ServiceConfig } from './config.js';
export { createLogger } from './logger.js';
export { createMetrics } from './metrics.js';
export { type RunningService, startService } from './service.js';
