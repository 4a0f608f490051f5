/**
 * Express: mount the receiver on its own route BEFORE any global express.json(), so it reads the raw
 * bytes Persona signed. Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/express.ts
 */
import express from 'express';
import { createDispatcher } from 'persona-webhooks';
import { createNodeMiddleware } from 'persona-webhooks/express';

const webhooks = createDispatcher();
webhooks.on('inquiry.approved', async (event) => {
  // event.object is typed as an inquiry: attributes.referenceId is your user id.
  console.log('approved', event.object.id, event.object.attributes.referenceId);
});
webhooks.on(['inquiry.declined', 'inquiry.failed'], async (event) => {
  console.log('not approved', event.object.id, event.object.attributes.status);
});

const app = express();
app.post(
  '/webhooks/persona',
  createNodeMiddleware({ secrets: process.env['PERSONA_WEBHOOK_SECRET'] ?? '', dispatcher: webhooks }),
);
app.use(express.json()); // the rest of your app may parse JSON as usual
app.listen(3000);
