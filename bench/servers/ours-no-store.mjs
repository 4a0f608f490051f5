// Our pipeline WITHOUT the durable store, as a library user would mount it on node:http: signature check,
// envelope parsing and the bounded in-memory dedupe, no handlers. Compared with (c) it shows what the
// durable, synced inbox costs. Plain JS importing the package by name (from dist/), like user code.
import { createServer } from 'node:http';
import { createNodeMiddleware } from 'persona-webhooks/node';

const middleware = createNodeMiddleware(
  { secrets: process.env.PERSONA_WEBHOOK_SECRET ?? '' },
  { path: '/webhooks/persona' },
);
const server = createServer(middleware);
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
