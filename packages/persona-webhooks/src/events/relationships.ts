import type { Relationship } from './objects/persona-object.js';

/**
 * The id a to-one relationship points at, or null when the relationship is absent, empty (`data: {}`),
 * a to-many list, or malformed. Relationship names are camelCase (`inquiryTemplate`).
 *
 * @example
 * relatedId(event.object.relationships, 'account'); // 'act_…' or null
 */
export function relatedId(
  relationships: Record<string, Relationship> | undefined,
  name: string,
): string | null {
  if (!relationships || !Object.hasOwn(relationships, name)) return null;
  const data = relationships[name]?.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const id: unknown = data.id;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/**
 * The first id a relationship points at, to-one or to-many (cases relate to `accounts` and
 * `inquiries` as lists), or null when it is absent, empty or malformed.
 *
 * @example
 * firstRelatedId(caseObject.relationships, 'accounts'); // 'act_…' or null
 */
export function firstRelatedId(
  relationships: Record<string, Relationship> | undefined,
  name: string,
): string | null {
  if (!relationships || !Object.hasOwn(relationships, name)) return null;
  const data = relationships[name]?.data;
  const first: unknown = Array.isArray(data) ? data[0] : data;
  if (typeof first !== 'object' || first === null) return null;
  const id: unknown = (first as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 ? id : null;
}
