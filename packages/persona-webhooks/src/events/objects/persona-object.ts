/**
 * The JSON:API resource shape every Persona object shares. Attribute keys are camelCase whatever
 * inflection the webhook was configured with (see `../inflection.ts`).
 */

/** A pointer to another resource, e.g. `{ type: 'account', id: 'act_…' }`. */
export interface ResourceIdentifier {
  type: string;
  id: string;
}

/**
 * One entry of `relationships`. Persona sends `data: {}` for an empty to-one relationship, so `data`
 * may be an empty object as well as an identifier, a list of them, or null.
 */
export interface Relationship {
  data?: ResourceIdentifier | ResourceIdentifier[] | Record<string, never> | null;
  [key: string]: unknown;
}

/** Any attribute bag: Persona adds attributes in new API versions, so unknown keys are always allowed. */
export interface PersonaAttributes {
  [key: string]: unknown;
}

/** Timestamps most objects carry (ISO 8601 strings as sent; null when not reached yet). */
export interface CommonTimestamps {
  createdAt?: string | null;
  updatedAt?: string | null;
  redactedAt?: string | null;
}

/** One entry of an object's `fields`, e.g. `{ type: 'string', value: 'Jane' }`. */
export interface PersonaField {
  type?: string;
  value?: unknown;
  [key: string]: unknown;
}

/**
 * Custom fields, keyed exactly as sent. From API version 2025-10-27 that is as configured on the template
 * (e.g. `name-first`) whatever the webhook's key inflection; older versions applied the inflection to
 * them too (`nameFirst` on a camel webhook). They are the customer's own names, so they are never
 * renamed here: read them as the webhook's version sends them.
 */
export type PersonaFields = Record<string, PersonaField>;

/**
 * A Persona object (JSON:API resource) with typed attributes.
 *
 * @example
 * const object: PersonaObject = { type: 'inquiry', id: 'inq_…', attributes: { status: 'approved' } };
 */
export interface PersonaObject<A extends PersonaAttributes = PersonaAttributes, T extends string = string> {
  type: T;
  id: string;
  attributes: A;
  relationships?: Record<string, Relationship>;
}
