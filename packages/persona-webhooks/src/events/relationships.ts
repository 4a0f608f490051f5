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

/** One resource a relationship points at: its id and its JSON:API `type` (null when not sent). */
export interface RelatedResource {
  id: string;
  type: string | null;
}

/**
 * Every resource every relationship points at, to-one and to-many alike, in the order sent; absent,
 * empty and malformed entries are skipped. Each comes with its relationship's name, so a resource
 * identifier without a `type` can still be told by where it stands (`reports`, `account`).
 *
 * @example
 * allRelated(caseObject.relationships); // [{ name: 'inquiries', id: 'inq_…', type: 'inquiry' }, …]
 */
export function allRelated(
  relationships: Record<string, Relationship> | undefined,
): (RelatedResource & { name: string })[] {
  const found: (RelatedResource & { name: string })[] = [];
  if (!relationships) return found;
  for (const name of Object.keys(relationships)) {
    const data = relationships[name]?.data;
    const items: unknown[] = Array.isArray(data) ? data : [data];
    for (const item of items) {
      if (typeof item !== 'object' || item === null) continue;
      const { id, type } = item as { id?: unknown; type?: unknown };
      if (typeof id !== 'string' || id.length === 0) continue;
      found.push({ name, id, type: typeof type === 'string' ? type : null });
    }
  }
  return found;
}
