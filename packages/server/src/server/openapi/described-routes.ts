/**
 * Routes other modules register and validate themselves, declared here for the document only: the
 * library's webhook receiver (which verifies the signature over the raw bytes before parsing anything)
 * and the dashboard's session endpoints (whose body schema is the one they validate with). The test of
 * /openapi.json fails if one of them changes path or method without this file following.
 */
import { z } from 'zod';
import { sessionAnswer, webhookAnswer } from '../answers/service-answers.js';
import { signInBody } from '../dashboard/dashboard-routes.js';
import type { RouteSpec } from './route-registry.js';

/** The webhook receiver at `path`. */
export function webhookRouteSpec(path: string): RouteSpec {
  return {
    method: 'POST',
    url: path,
    tag: 'Persona webhooks',
    summary: 'Receive one Persona webhook event',
    description:
      "Point Persona's webhook here. The signature is checked over the exact bytes, then the event is stored durably once (deduplicated by its `evt_` id) before the answer; handlers and the KYC projection run afterwards. Any other method is answered 405 `method_not_allowed`.",
    auth: 'persona-signature',
    body: z
      .looseObject({
        data: z.looseObject({
          type: z.literal('event'),
          id: z.string().describe('`evt_…`: the deduplication key.'),
          attributes: z.looseObject({ name: z.string().describe('e.g. `inquiry.approved`.') }),
        }),
      })
      .describe("A Persona event, exactly as Persona sent and signed it (any of Persona's key inflections)."),
    responses: {
      200: {
        description:
          'Stored (`{"received": true}`), already stored (`"duplicate": true`), or a signed ping (`"ping": true`, nothing stored).',
        schema: webhookAnswer,
      },
      202: {
        description:
          'Correctly signed but not a storable Persona event: kept as dead with the reason (`"quarantined": true`).',
        schema: webhookAnswer,
      },
      400: '`request_aborted`: the body broke off; nothing was stored.',
      401: '`invalid_signature` (with `reason`): the Persona-Signature header is missing, malformed, stale or does not match.',
      413: '`payload_too_large`: the body is over PERSONA_WEBHOOK_MAX_BODY_BYTES.',
      503: '`store_unavailable` or `receiver_busy`: nothing was stored; Persona retries.',
    },
  };
}

/** `/` (to the dashboard) and `/admin/session`: the dashboard's sign-in (token → cookie), its state, and sign-out. */
export const DASHBOARD_SESSION_SPECS: readonly RouteSpec[] = [
  {
    method: 'GET',
    url: '/',
    tag: 'Dashboard session',
    summary: 'Redirects a browser to the dashboard (`302` to `/admin`)',
    auth: 'none',
    responses: { 302: 'To `/admin`.' },
  },
  {
    method: 'GET',
    url: '/admin/session',
    tag: 'Dashboard session',
    summary: 'Whether this browser is signed in to the dashboard',
    auth: 'none',
    responses: {
      200: {
        description: '`{"signedIn": true, "expiresAt": …}` or `{"signedIn": false}`.',
        schema: sessionAnswer,
      },
    },
  },
  {
    method: 'POST',
    url: '/admin/session',
    tag: 'Dashboard session',
    summary: 'Sign in: exchange the ADMIN_TOKEN for a session cookie',
    description: 'Only from the dashboard itself (its Origin); sets an HttpOnly, SameSite=Strict cookie.',
    auth: 'none',
    body: signInBody,
    responses: {
      200: { description: 'Signed in; `expiresAt` says until when.', schema: sessionAnswer },
      401: '`unauthorized`: the token is wrong.',
      403: '`forbidden_origin`: not sent from the dashboard.',
      429: '`too_many_attempts`: too many wrong tokens from this address; see `Retry-After`.',
    },
  },
  {
    method: 'DELETE',
    url: '/admin/session',
    tag: 'Dashboard session',
    summary: 'Sign out: end the session and clear its cookie',
    auth: 'none',
    responses: { 204: 'Signed out.', 403: '`forbidden_origin`: not sent from the dashboard.' },
  },
];
