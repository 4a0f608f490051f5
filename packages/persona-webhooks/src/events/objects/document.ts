import type { CommonTimestamps, PersonaAttributes, PersonaObject } from './persona-object.js';

/** Document attributes. */
export interface DocumentAttributes extends PersonaAttributes, CommonTimestamps {
  status?: 'initiated' | 'submitted' | 'processed' | 'errored' | (string & {}) | null;
  processedAt?: string | null;
}

/** The object of every `document.*` event; its type names the kind, e.g. `document/government-id`. */
export type DocumentObject = PersonaObject<DocumentAttributes>;
