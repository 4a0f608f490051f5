/** What every emulator route module needs, and the helpers they share. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deliverer } from '../deliverer.js';
import type { KeyInflection } from '../emulator-model.js';
import type { EmulatorState } from '../emulator-state.js';
import { personaError } from '../persona-json.js';

export interface RouteContext {
  state: EmulatorState;
  deliverer: Deliverer;
  /** Largest page the emulator serves, whatever was asked. */
  maxPageSize: number;
  /** The key `/_emulator/*` needs (`Authorization: Bearer …`): the full-permission API key. */
  controlKey: string;
}

/** The prefix of every emulated API path, as in `https://api.withpersona.com/api/v1`. */
export const API_PREFIX = '/api/v1';

/** Query parameters as plain strings (repeated parameters: the last one). */
export function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(query)) out[key] = Array.isArray(value) ? value.at(-1) : value;
  return out;
}

/** The inflection the request asked for with `Key-Inflection` (default kebab). */
export function requestedInflection(request: FastifyRequest): KeyInflection {
  const value = request.headers['key-inflection'];
  return value === 'camel' || value === 'snake' ? value : 'kebab';
}

/** Answers in Persona's error shape. */
export function sendPersonaError(reply: FastifyReply, status: number, title: string, details?: string) {
  return reply.code(status).send(personaError(title, details));
}

/** `body.data.attributes` of a JSON:API request, or an empty object. */
export function attributesOf(body: unknown): Record<string, unknown> {
  const data = (body as { data?: { attributes?: unknown } } | undefined)?.data;
  const attributes = data?.attributes;
  return typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)
    ? (attributes as Record<string, unknown>)
    : {};
}

/** A JSON object body (the control routes' plain JSON), or an empty one. */
export function bodyOf(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}
