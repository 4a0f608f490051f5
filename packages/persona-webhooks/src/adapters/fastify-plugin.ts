/**
 * Fastify adapter: an encapsulated plugin (deliberately NOT wrapped in fastify-plugin), so its raw-body
 * content-type parser applies to the webhook route only and the rest of the app keeps parsing JSON.
 */
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { toPipeline } from '../pipeline/create-pipeline.js';
import type { WebhookPipeline } from '../pipeline/pipeline.js';
import type { PipelineOptions } from '../pipeline/pipeline-options.js';
import { readLimited } from './read-limited.js';

export type FastifyPersonaWebhooksOptions = (PipelineOptions | { pipeline: WebhookPipeline }) & {
  /** Route of the receiver. Default `/webhooks/persona`. */
  path?: string;
};

// Every method but HEAD, which Fastify derives from GET: the pipeline answers non-POST with a JSON 405.
const METHODS = ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * Receives Persona webhooks in a Fastify app.
 *
 * @example
 * import personaWebhooks from 'persona-webhooks/fastify';
 * await app.register(personaWebhooks, { secrets: process.env.PERSONA_WEBHOOK_SECRET!, dispatcher });
 */
export const fastifyPersonaWebhooks: FastifyPluginAsync<FastifyPersonaWebhooksOptions> = async (
  fastify,
  options,
) => {
  const pipeline = toPipeline('pipeline' in options ? options.pipeline : options);

  // Hand the untouched stream to the pipeline; it enforces the byte limit while reading.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  fastify.route({
    method: METHODS,
    url: options.path ?? '/webhooks/persona',
    handler: async (request, reply) => {
      const stream = (request.body as Readable | undefined) ?? request.raw;
      const response = await pipeline.handle({
        method: request.method,
        header: (name) => request.headers[name],
        readBody: () => readLimited(stream, request.headers['content-length'], pipeline.maxBodyBytes),
      });
      if (!request.raw.complete) reply.header('connection', 'close');
      return reply.code(response.status).headers(response.headers).send(response.body);
    },
  });
};

export default fastifyPersonaWebhooks;
