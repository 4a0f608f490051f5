import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { loadUserHandlers } from '../../packages/server/src/server/user-handlers.js';
import { REPO_ROOT } from '../helpers/service-process.js';

describe('PERSONA_WEBHOOKS_HANDLERS', () => {
  it('loads a JavaScript module and lets it register handlers', async () => {
    const dispatcher = createDispatcher();
    await loadUserHandlers(join(REPO_ROOT, 'test/fixtures/handlers/append-log.mjs'), dispatcher);
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(true);
  });

  it.each(['handlers.ts', 'handlers.mts', 'handlers.cts'])(
    'refuses %s with a message that says to compile it, before trying to load it',
    async (file) => {
      await expect(
        loadUserHandlers(join(REPO_ROOT, 'no-such-dir', file), createDispatcher()),
      ).rejects.toThrow(/is TypeScript, which Node\.js cannot load by itself\. Compile it to \.js or \.mjs/);
    },
  );
});
