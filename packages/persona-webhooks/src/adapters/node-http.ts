/**
 * node:http adapter — also the Express adapter: Express passes node's request and response objects.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toPipeline } from '../pipeline/create-pipeline.js';
import type { WebhookPipeline } from '../pipeline/pipeline.js';
import type { PipelineOptions } from '../pipeline/pipeline-options.js';
import { jsonResponse, type WebhookResponse } from '../pipeline/response.js';
import { readNodeBody } from './node-body.js';

export interface NodeMiddlewareOptions {
  /**
   * Only requests to this path are handled; others go to `next()` or get a JSON 404. Leave unset when
   * the framework already routes (e.g. `app.post('/webhooks/persona', middleware)` in Express).
   */
  path?: string;
}

/** A request listener for `http.createServer`, and a middleware for Express/Connect. */
export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

/**
 * Receives Persona webhooks on node:http or Express.
 *
 * @example
 * // node:http
 * http.createServer(createNodeMiddleware({ secrets: process.env.PERSONA_WEBHOOK_SECRET!, dispatcher }, { path: '/webhooks/persona' })).listen(3000);
 * // Express — mount before express.json(), or on its own route:
 * app.post('/webhooks/persona', createNodeMiddleware({ secrets, dispatcher }));
 */
export function createNodeMiddleware(
  pipelineOrOptions: WebhookPipeline | PipelineOptions,
  options: NodeMiddlewareOptions = {},
): NodeMiddleware {
  const pipeline = toPipeline(pipelineOrOptions);
  return async (req, res, next) => {
    if (options.path !== undefined && pathOf(req.url) !== options.path) {
      if (next) return next();
      return send(
        res,
        jsonResponse(404, { error: { code: 'not_found', message: `No route for ${pathOf(req.url)}.` } }),
      );
    }
    const response = await pipeline.handle({
      method: req.method ?? 'GET',
      header: (name) => req.headers[name],
      readBody: () => readNodeBody(req, pipeline.maxBodyBytes),
    });
    send(res, response);
  };
}

function pathOf(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0] ?? '/';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Writes a pipeline response; closes the connection when the body was not read to the end. */
export function send(res: ServerResponse, response: WebhookResponse): void {
  if (res.headersSent) return;
  const unread = !res.req.readableEnded && !res.req.complete;
  res.writeHead(response.status, unread ? { ...response.headers, connection: 'close' } : response.headers);
  res.end(response.body);
}
