/**
 * Baseline (b) — what users copy today: Express with `express.raw`, an HMAC over `t.body`, a compare,
 * `JSON.parse`, and an in-memory `Set` for dedupe. Written like the typical snippet (nothing durable, the
 * Set grows forever, the timestamp is not checked) but correct enough to accept Persona-signed requests:
 * it hashes the raw bytes (as text: same bytes for UTF-8) and checks lengths before `timingSafeEqual`.
 *
 * Run: `PORT=3002 PERSONA_WEBHOOK_SECRET=wbhsec_… node express-copy.mjs` (transpiled by the bench).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

const secret = process.env['PERSONA_WEBHOOK_SECRET'] ?? '';
const processed = new Set<string>();
const app = express();

app.post('/webhooks/persona', express.raw({ type: 'application/json' }), (req, res) => {
  const header = req.header('persona-signature') ?? '';
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts['t']}.${req.body}`).digest('hex');
  const given = parts['v1'] ?? '';
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    res.status(401).send('invalid signature');
    return;
  }
  const event: { data: { id: string } } = JSON.parse(req.body.toString('utf8'));
  if (!processed.has(event.data.id)) processed.add(event.data.id);
  res.status(200).json({ received: true });
});

const server = app.listen(Number(process.env['PORT'] ?? 3002), process.env['HOST'] ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
