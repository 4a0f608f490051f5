/**
 * A webhook body around any Persona object, for tests that need relationships or object types the
 * event builder does not make (a case over several inquiries, a transaction, an inquiry's report list).
 */
import type { BuiltEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';

export interface PersonaObjectJson {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships?: Record<string, unknown>;
}

/** `{ data: [{ type, id }, …] }`, a to-many relationship. */
export const toMany = (type: string, ...ids: string[]) => ({ data: ids.map((id) => ({ type, id })) });

/** `{ data: { type, id } }`, a to-one relationship. */
export const toOne = (type: string, id: string) => ({ data: { type, id } });

export function objectEvent(
  name: string,
  object: PersonaObjectJson,
  createdAt: Date,
  eventId: string,
): BuiltEvent {
  const at = createdAt.toISOString();
  const body = JSON.stringify({
    data: { type: 'event', id: eventId, attributes: { name, 'created-at': at, payload: { data: object } } },
  });
  return { eventId, name, createdAt: at, body };
}
