/**
 * Fastify's side of "an early answer ends the connection": Node keeps a connection alive after an answer
 * by reading the rest of the request body first, for as long as the client takes to send it (until the
 * request timeout). When Fastify answers before the body arrived in full — a 401 before an admin body, a
 * 413 — the answer says `Connection: close`, and Node then destroys the socket once it is written, as
 * the webhook fast path does for its own early answers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** An `onSend` hook: marks the answer `Connection: close` when the request's body is still arriving. */
export async function closeWhenBodyUnread(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // `=== false`: injected requests (tests) have no `complete` at all, and nothing to keep reading.
  if (request.raw.complete === false) reply.header('connection', 'close');
}
