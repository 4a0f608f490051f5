/**
 * Next.js App Router: save as app/api/webhooks/persona/route.ts. The Web handler uses Web Crypto only,
 * so it also runs on the Edge runtime.
 */
import { createDispatcher, createWebHandler } from 'persona-webhooks/web';

const webhooks = createDispatcher();
webhooks.on('inquiry.approved', async (event) => {
  console.log('approved', event.object.attributes.referenceId);
});

export const POST = createWebHandler({
  secrets: process.env['PERSONA_WEBHOOK_SECRET'] ?? '',
  dispatcher: webhooks,
});
