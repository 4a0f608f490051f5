/** The Fastify entry point (`persona-webhooks/fastify`): an encapsulated plugin, also the default export. */
import { fastifyPersonaWebhooks } from './adapters/fastify-plugin.js';

export { type FastifyPersonaWebhooksOptions, fastifyPersonaWebhooks } from './adapters/fastify-plugin.js';
export { createDispatcher, unknownEvent } from './dispatch/dispatcher.js';
export * from './errors.js';
export { createPipeline } from './pipeline/create-pipeline.js';
export type * from './public-types.js';
export default fastifyPersonaWebhooks;
