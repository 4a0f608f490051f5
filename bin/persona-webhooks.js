#!/usr/bin/env node
// The package's command. It runs the compiled code in dist/ (built by `npm ci` via the prepare script).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  process.stderr.write(`persona-webhooks: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
