/**
 * The guard on the emulator's own endpoints under `/_emulator`: they need the emulator's
 * full-permission key as a bearer token, since with them anyone could mint a key that reads webhook
 * secrets.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendPersonaError } from './route-context.js';

/** Answers 401 to any `/_emulator` route called without `Authorization: Bearer <control key>`. */
export function requireControlKey(app: FastifyInstance, controlKey: string): void {
  const expected = digest(controlKey);
  const authorized = (request: FastifyRequest) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    return token !== undefined && timingSafeEqual(digest(token), expected);
  };
  app.addHook('onRequest', async (request, reply) => {
    // The matched route, not the raw URL: no spelling of the path can reach a control route unchecked.
    const route = request.routeOptions.url ?? '';
    if (route !== '/_emulator' && !route.startsWith('/_emulator/')) return;
    if (authorized(request)) return;
    return sendPersonaError(
      reply,
      401,
      'Unauthorized',
      "The emulator's control routes need its full-permission key (printed at start, PERSONA_API_KEY) as Authorization: Bearer <key>.",
    );
  });
}

/** Hashed first, so the comparison length never depends on the input. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
