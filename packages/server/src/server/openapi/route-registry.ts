/**
 * Every HTTP route of the service declared once — method, path, input schemas (zod), who may call it,
 * what it answers — and used twice: to register and validate the route with Fastify, and to describe it
 * in /openapi.json (`openapi-document.ts`). A route another module registers itself (the library's
 * webhook plugin, the dashboard's session endpoints) is only described, with the schema that module
 * validates with.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { InvalidQueryError } from '../http-errors.js';

/**
 * Who may call a route: `admin` (ADMIN_TOKEN or the dashboard's session), `app` (those, or an app
 * token), `none` (public), `persona-signature` (Persona's signed webhook).
 */
export type RouteAuth = 'admin' | 'app' | 'none' | 'persona-signature';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by the route registry; the admin auth reads it to allow app tokens on `app` routes only. */
    auth?: RouteAuth;
  }
}

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

/** One route, as declared. Paths use Fastify's `:param` syntax. */
export interface RouteSpec<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Groups operations in the document (`Admin API`, `KYC status`, …). */
  tag: string;
  summary: string;
  description?: string;
  auth: RouteAuth;
  /** Path parameters, query string and JSON body, each an object schema; absent: not read. */
  params?: P;
  query?: Q;
  body?: B;
  /** Status → what it means. Errors are answered as `{ error: { code, message } }`. */
  responses: Readonly<Record<number, string>>;
  /** Media type of the success answers. Default `application/json`. */
  produces?: string;
  /** The JSON body of the 200 answer, for the document (the handler's return type should be its output). */
  responseBody?: z.ZodType;
}

/** What a registered handler receives: the validated inputs (undefined where the route declares none). */
export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

/** The routes of one app, in the order they were declared. */
export class RouteRegistry {
  readonly #routes: RouteSpec[] = [];

  /** Every declared route (registered or only described). */
  get routes(): readonly RouteSpec[] {
    return this.#routes;
  }

  /**
   * Registers `spec` on `scope` (validating its inputs before the handler runs; a bad input is a 400
   * `invalid_request`) and records it for the document.
   *
   * @example
   * routes.route(api, { method: 'GET', url: '/api/kyc/:id', params: idParam, … }, async ({ params }) => …);
   */
  route<P extends Schema, Q extends Schema, B extends Schema>(
    scope: FastifyInstance,
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>, request: FastifyRequest, reply: FastifyReply) => unknown,
  ): void {
    this.#routes.push(spec);
    scope.route({
      method: spec.method,
      url: spec.url,
      config: { auth: spec.auth },
      handler: async (request, reply) => {
        const input = {
          params: parseInput(spec.params, request.params),
          query: parseInput(spec.query, request.query),
          body: parseInput(spec.body, request.body),
        } as RouteInput<P, Q, B>;
        return handler(input, request, reply);
      },
    });
  }

  /** Records a route some other module registers, for the document only. */
  describe(spec: RouteSpec): void {
    this.#routes.push(spec);
  }
}

/** Parses one input with its schema; the 400 names each failing field and why, never its value. */
export function parseInput<S extends Schema>(schema: S, value: unknown): Parsed<S> {
  if (schema === undefined) return undefined as Parsed<S>;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InvalidQueryError(
      result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '),
    );
  }
  return result.data as Parsed<S>;
}
