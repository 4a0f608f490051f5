/**
 * Bun, Deno, Cloudflare Workers and Hono all speak (Request) => Response.
 *   Bun:     Bun.serve({ fetch: handler })
 *   Deno:    Deno.serve(handler)
 *   Workers: export default { fetch: handler }
 *   Hono:    app.post('/webhooks/persona', (c) => handler(c.req.raw))
 */
import { createDispatcher, createWebHandler } from 'persona-webhooks/web';

const webhooks = createDispatcher();
webhooks.on('inquiry.marked-for-review', (event) => {
  console.log('needs review', event.object.id);
});

// Workers pass secrets through the environment binding; here a constant stands in for it.
const handler = createWebHandler({ secrets: 'wbhsec_replace_me', dispatcher: webhooks });

export default { fetch: handler };
