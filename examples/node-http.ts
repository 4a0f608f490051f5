/**
 * Plain node:http, with the durable SQLite inbox: every event is stored (and synced to disk) before the
 * 200, and a worker runs the handlers and keeps the KYC status table up to date.
 * Run: PERSONA_WEBHOOK_SECRET=wbhsec_… npx tsx examples/node-http.ts
 */
import { createServer } from 'node:http';
import Database from 'better-sqlite3';
import { createDispatcher, createPipeline, createWorker } from 'persona-webhooks';
import { createNodeMiddleware } from 'persona-webhooks/node';
import { createSqliteStore } from 'persona-webhooks/sqlite';

const store = createSqliteStore({ database: new Database('./example.db') });
await store.migrate();

const webhooks = createDispatcher();
webhooks.onAny((event) => console.log('handled', event.name, event.id));

const worker = createWorker({ store, dispatcher: webhooks });
worker.start();

const pipeline = createPipeline({ secrets: process.env['PERSONA_WEBHOOK_SECRET'] ?? '', store });
const server = createServer(createNodeMiddleware(pipeline, { path: '/webhooks/persona' })).listen(3000);

process.once('SIGTERM', async () => {
  server.close();
  await worker.stop();
  await store.close();
});
