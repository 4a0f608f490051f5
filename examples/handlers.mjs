// Your own handlers for the ready-to-run service: PERSONA_WEBHOOKS_HANDLERS=examples/handlers.mjs npm start
// The worker runs them after the event is stored; a throw retries the event with backoff.
export default function register(webhooks) {
  webhooks.on('inquiry.approved', async (event) => {
    const userId = event.object.attributes.referenceId;
    console.log(`grant access to ${userId}`);
  });
  webhooks.on('inquiry.declined', async (event) => {
    console.log(`decline ${event.object.attributes.referenceId}`);
  });
}
