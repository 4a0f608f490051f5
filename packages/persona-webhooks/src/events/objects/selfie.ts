import type { CommonTimestamps, PersonaAttributes, PersonaObject } from './persona-object.js';

/** Selfie attributes. */
export interface SelfieAttributes extends PersonaAttributes, CommonTimestamps {
  status?: 'initiated' | 'submitted' | 'processed' | 'errored' | (string & {}) | null;
  processedAt?: string | null;
}

/** The object of every `selfie.*` event; its type names the capture method, which varies. */
export type SelfieObject = PersonaObject<SelfieAttributes>;
