/**
 * Fastify: the plugin is encapsulated, so its raw-body parser applies to the webhook route only.
 * Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/fastify.ts
 */
import Fastify from 'fastify';
import { createDispatcher } from 'persona-webhooks';
import personaWebhooks from 'persona-webhooks/fastify';

const webhooks = createDispatcher();
webhooks.on('verification.passed', (event) => {
  console.log('verification passed', event.object.id, event.object.attributes.status);
});

const app = Fastify();
await app.register(personaWebhooks, {
  secrets: process.env['PERSONA_WEBHOOK_SECRET'] ?? '',
  dispatcher: webhooks,
  path: '/webhooks/persona',
});
await app.listen({ port: 3000 });
