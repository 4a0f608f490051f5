/**
 * The browser dashboard at /admin: its page, its static files, and the session endpoints that exchange
 * the ADMIN_TOKEN for a signed, HttpOnly, SameSite=Strict cookie and end it again. The page itself is
 * public (it holds no data); everything it shows comes from /api/*, which needs the session.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AdminAuth, SESSION_COOKIE } from '../admin-api/admin-auth.js';
import { ForbiddenOriginError, InvalidQueryError } from '../http/http-errors.js';
import { PUBLIC_DIR, vendorFiles } from './assets.js';
import { comesFromOwnOrigin, viaHttps } from './origin.js';
import type { Session, SessionBook } from './sessions.js';

/** The sign-in body; also describes `POST /admin/session` in /openapi.json. */
export const signInBody = z.object({ token: z.string().min(1).max(1024) });

export interface DashboardOptions {
  auth: AdminAuth;
  sessions: SessionBook;
  now?: () => number;
}

/** Registers /admin, /admin/assets/*, /admin/session, and / as a redirect to /admin. */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const { auth, sessions } = options;
  const now = options.now ?? Date.now;

  app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/admin/assets/',
    index: false,
    // Revalidated on every load (ETag), so an upgrade is picked up at once.
    cacheControl: false,
    setHeaders: (res) => res.setHeader('cache-control', 'no-cache'),
  });

  const page = (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('cache-control', 'no-store').sendFile('index.html', PUBLIC_DIR);
  app.get('/admin', page);
  app.get('/admin/', page);
  // Someone opening the service's address in a browser wants the dashboard; every other unknown path
  // keeps its JSON 404.
  app.get('/', (_request, reply) => reply.redirect('/admin', 302));

  for (const [name, { dir, file }] of Object.entries(vendorFiles())) {
    app.get(`/admin/assets/vendor/${name}`, (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile(file, dir),
    );
  }

  // Answers 200 either way: the page asks this on every load, and "not signed in" is not an error.
  app.get('/admin/session', async (request, reply) => {
    const session = await auth.sessionOf(request);
    return reply
      .header('cache-control', 'no-store')
      .send(session ? sessionJson(session) : { signedIn: false });
  });

  app.post('/admin/session', async (request, reply) => {
    // A sign-in posted from another site would sign the victim into our dashboard (login CSRF).
    if (!comesFromOwnOrigin(request)) throw new ForbiddenOriginError();
    const parsed = signInBody.safeParse(request.body);
    if (!parsed.success) throw new InvalidQueryError('send {"token": "<ADMIN_TOKEN>"} as JSON');
    await auth.verifyToken(request, parsed.data.token.trim());
    const { session, value } = sessions.open(now());
    request.log.info({ ip: request.ip }, 'admin signed in');
    return reply
      .setCookie(SESSION_COOKIE, value, {
        signed: true,
        httpOnly: true,
        sameSite: 'strict',
        secure: viaHttps(request),
        path: '/',
        expires: new Date(session.expiresAtMs),
      })
      .header('cache-control', 'no-store')
      .send(sessionJson(session));
  });

  app.delete('/admin/session', async (request, reply) => {
    if (!comesFromOwnOrigin(request)) throw new ForbiddenOriginError();
    const session = await auth.sessionOf(request);
    // Written to the store before answering: once the browser sees 204, no instance accepts the cookie.
    if (session) await sessions.revoke(session, now());
    return reply
      .clearCookie(SESSION_COOKIE, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: viaHttps(request),
      })
      .code(204)
      .send();
  });
}

function sessionJson(session: Session) {
  return { signedIn: true, expiresAt: new Date(session.expiresAtMs).toISOString() };
}
