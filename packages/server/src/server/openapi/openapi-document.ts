/**
 * The OpenAPI 3.1 description of the service, built from the route registry: each route's zod schemas
 * become its parameters and request body (JSON Schema 2020-12, which OpenAPI 3.1 uses as is), its auth
 * becomes its security and the error answers it can give; the outbound `kyc.decision_changed` message is
 * described under `webhooks`. Nothing here is written by hand a second time.
 */
import { z } from 'zod';
import { serverVersion } from '../../version.js';
import { SESSION_COOKIE } from '../admin-api/admin-auth.js';
import { kycDecisionChangedEventSchema } from './kyc-decision-changed-event.js';
import {
  type Answer,
  answerDescription,
  errorAnswer,
  type RouteAuth,
  type RouteSpec,
} from './route-registry.js';

type Json = Record<string, unknown>;

const SECURITY: Readonly<Record<RouteAuth, Json[]>> = {
  admin: [{ adminToken: [] }, { dashboardSession: [] }],
  app: [{ adminToken: [] }, { appToken: [] }, { dashboardSession: [] }],
  none: [],
  'persona-signature': [{ personaSignature: [] }],
};

/** The error answers each kind of auth adds to a route's own. */
const AUTH_ERRORS: Readonly<Record<RouteAuth, Readonly<Record<number, string>>>> = {
  admin: {
    401: '`unauthorized`: no valid admin token or dashboard session.',
    403: '`forbidden`: an app token (read-only) was used; or `forbidden_origin`: a write with the session cookie from another origin.',
    429: '`too_many_attempts`: too many wrong tokens from this address; see `Retry-After`.',
  },
  app: {
    401: '`unauthorized`: no valid admin token, app token or dashboard session (a revoked app token is refused too).',
    429: '`too_many_attempts`: too many wrong tokens from this address; see `Retry-After`.',
  },
  none: {},
  'persona-signature': {},
};

const SECURITY_SCHEMES = {
  adminToken: {
    type: 'http',
    scheme: 'bearer',
    description: '`Authorization: Bearer <ADMIN_TOKEN>`: every route.',
  },
  appToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      '`Authorization: Bearer pwa_…`, made with `persona-webhooks tokens create`: read-only, only the operations that list it; anywhere else it is answered 403 `forbidden`.',
  },
  dashboardSession: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The dashboard session cookie set by `POST /admin/session`.',
  },
  personaSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Persona-Signature',
    description: "Persona's HMAC-SHA256 signature of the raw body with the webhook's secret.",
  },
} as const;

/** Builds the document; `routes` are the registry's, in declaration order. */
export function buildOpenApiDocument(routes: readonly RouteSpec[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'persona-webhooks',
      version: serverVersion(),
      description:
        "Receives Persona webhooks, keeps each user's KYC decision, and tells your application when it changes (`webhooks` → `kyc.decision_changed`).",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    webhooks: { 'kyc.decision_changed': { post: decisionChangedOperation() } },
    components: {
      schemas: {
        Error: jsonSchema(errorAnswer, 'output'),
        KycDecisionChangedEvent: jsonSchema(kycDecisionChangedEventSchema, 'output'),
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

function operation(route: RouteSpec): Json {
  const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')];
  const validated = route.params !== undefined || route.query !== undefined || route.body !== undefined;
  const statuses: Record<number, string | Answer> = { ...AUTH_ERRORS[route.auth], ...route.responses };
  if (validated && statuses[400] === undefined) {
    statuses[400] = '`invalid_request`: a parameter or the body is not valid; the message says which.';
  }
  const responses: Record<string, Json> = {};
  for (const [status, answer] of Object.entries(statuses).sort(([a], [b]) => Number(a) - Number(b))) {
    responses[status] = response(Number(status), answer, route.produces ?? 'application/json');
  }
  return {
    operationId: operationId(route),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * One answer: errors refer to the Error component; an answer with a body carries the JSON Schema of
 * its declared zod schema; 204 and redirects have no body.
 */
function response(status: number, answer: string | Answer, produces: string): Json {
  const description = answerDescription(answer);
  if (status >= 400) {
    return {
      description,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  if (typeof answer === 'string') return { description };
  return { description, content: { [produces]: { schema: jsonSchema(answer.schema, 'output') } } };
}

/** One parameter per property of an object schema, with its own JSON Schema. */
function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    ...(typeof property['description'] === 'string' ? { description: property['description'] } : {}),
    schema: property,
  }));
}

/** The JSON Schema of what a request sends (`input`, before transforms and defaults) or what we send. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** `GET /api/kyc/:id/events` → `getApiKycByIdEvents`. */
function operationId(route: RouteSpec): string {
  const words = route.url
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

function decisionChangedOperation(): Json {
  const header = (name: string, description: string) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  });
  return {
    operationId: 'kycDecisionChanged',
    summary: "A user's KYC decision changed",
    description:
      "Sent to every configured endpoint, signed in the Standard Webhooks format: verify it with a `standardwebhooks` library and the endpoint's `whsec_` secret, and dedupe by `webhook-id`.",
    parameters: [
      header('webhook-id', 'The message id: the same on every retry of this message.'),
      header('webhook-timestamp', 'When this attempt was signed, Unix seconds.'),
      header(
        'webhook-signature',
        'Space-separated `v1,<base64 HMAC-SHA256>` signatures, several while a secret is being rotated.',
      ),
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/KycDecisionChangedEvent' } } },
    },
    responses: {
      '2XX': { description: 'Received: the message is not sent again.' },
      default: { description: 'Any other answer, or none in time: the message is sent again later.' },
    },
  };
}
