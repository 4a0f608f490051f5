#!/usr/bin/env node
// The service's command. It runs the compiled code in dist/ (shipped in the package; in the repository,
// built by `npm ci` through the root prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  process.stderr.write(`persona-webhooks: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
