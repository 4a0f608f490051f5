/**
 * Baseline (a) — the ceiling: a bare `node:http` server that reads the whole body and answers 200. No
 * verification, no parsing, no storage: any real receiver does at least this much work.
 *
 * Run: `PORT=3001 node bare-node.mjs` (the bench transpiles it first; see `compile-servers.ts`).
 */
import { createServer } from 'node:http';

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    // Concatenated like any receiver must before it can hash the body.
    Buffer.concat(chunks);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"received":true}');
  });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.env['PORT'] ?? 3001), process.env['HOST'] ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
