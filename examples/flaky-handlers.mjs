// A handler that calls your own service, for trying failures and replays in the dashboard:
//   touch data/grant-access-down          # your service is "down"
//   PERSONA_WEBHOOKS_HANDLERS=examples/flaky-handlers.mjs PERSONA_WEBHOOKS_MAX_ATTEMPTS=1 npm start
// While the file exists, inquiry.approved fails (and with one attempt allowed, goes dead at once);
// remove the file and press Replay on the event.
import { existsSync } from 'node:fs';

const downFile = process.env.GRANT_ACCESS_DOWN_FILE ?? 'data/grant-access-down';

export default function register(webhooks) {
  webhooks.on('inquiry.approved', async (event) => {
    if (existsSync(downFile)) {
      throw new Error(`grant-access service unavailable (HTTP 503); it is back once ${downFile} is removed`);
    }
    console.log(`grant access to ${event.object.attributes.referenceId}`);
  });
}
