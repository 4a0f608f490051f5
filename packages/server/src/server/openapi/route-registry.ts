/**
 * Every HTTP route of the service declared once — method, path, input schemas (zod), who may call it,
 * what it answers — and used twice: to register and validate the route with Fastify, and to describe it
 * in /openapi.json (`openapi-document.ts`). A route another module registers itself (the library's
 * webhook plugin, the dashboard's session endpoints) is only described, with the schema that module
 * validates with.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidQueryError } from '../http/http-errors.js';

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
  /**
   * Status → what it means, and for an answer with a body its schema (the document's, and what
   * `checkAnswers` holds real answers to). Errors are answered as `{ error: { code, message } }`: a
   * description is enough for them, and for answers without a body (204, 302).
   */
  responses: Readonly<Record<number, string | Answer>>;
  /** Media type of the success answers. Default `application/json`. */
  produces?: string;
}

/** An answer with a body: what it means and its schema. */
export interface Answer {
  description: string;
  schema: z.ZodType;
}

/** The description of a declared answer. */
export function answerDescription(answer: string | Answer): string {
  return typeof answer === 'string' ? answer : answer.description;
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
  readonly #checkAnswers: boolean;

  /**
   * `checkAnswers`: hold every JSON answer of a registered route to the schema its spec declares for
   * its status (errors to the error body), and fail the request (500) on a mismatch. For tests: it
   * proves the document describes what the routes really answer; it costs a parse per answer.
   */
  constructor(options: { checkAnswers?: boolean } = {}) {
    this.#checkAnswers = options.checkAnswers ?? false;
  }

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
      ...(this.#checkAnswers
        ? {
            preSerialization: async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
              checkAnswer(spec, reply.statusCode, payload);
              return payload;
            },
          }
        : {}),
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

/** The error body every route answers errors with (`PersonaWebhookError.toResponse`). */
export const errorAnswer = z
  .object({
    error: z.looseObject({
      code: z.string().describe('Stable machine-readable code, e.g. `not_found`; safe to match on.'),
      message: z.string().describe('What went wrong and what to do, for people.'),
    }),
  })
  .describe('Every error is answered with this body; some add fields next to `code`.');

/** Throws when `payload` is not what `spec` declares for `status` (see `checkAnswers`). */
function checkAnswer(spec: RouteSpec, status: number, payload: unknown): void {
  const declared = spec.responses[status];
  const schema = status >= 400 ? errorAnswer : typeof declared === 'object' ? declared.schema : undefined;
  const where = `${spec.method} ${spec.url} answered ${status}`;
  if (!schema) throw new Error(`${where} with a body, but declares no schema for it`);
  const result = schema.safeParse(payload);
  if (!result.success) {
    throw new Error(
      `${where}, not as declared: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
}
