import type { CommonTimestamps, PersonaAttributes, PersonaFields, PersonaObject } from './persona-object.js';

/** Case (manual review) attributes. */
export interface CaseAttributes extends PersonaAttributes, CommonTimestamps {
  status?: string | null;
  name?: string | null;
  resolution?: string | null;
  assignedAt?: string | null;
  resolvedAt?: string | null;
  fields?: PersonaFields | null;
  tags?: string[] | null;
}

/** The object of every `case.*` event. */
export type CaseObject = PersonaObject<CaseAttributes, 'case'>;
