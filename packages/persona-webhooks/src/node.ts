/**
 * The node:http and Express entry point (`persona-webhooks/node`, also `persona-webhooks/express`):
 * Express passes node's request and response objects, so one middleware serves both.
 */
export {
  createNodeMiddleware,
  type NodeMiddleware,
  type NodeMiddlewareOptions,
} from './adapters/node-http.js';
export { createDispatcher, unknownEvent } from './dispatch/dispatcher.js';
export * from './errors.js';
export { createPipeline } from './pipeline/create-pipeline.js';
export type * from './public-types.js';
