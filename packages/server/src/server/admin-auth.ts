import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { UnauthorizedError } from './http-errors.js';

/**
 * Checks `Authorization: Bearer <token>` in constant time. Both sides are hashed first, so the
 * comparison length never depends on the attacker's input and `timingSafeEqual` cannot throw.
 */
export function createAdminAuth(adminToken: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(adminToken);
  return async (request) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) throw new UnauthorizedError();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
