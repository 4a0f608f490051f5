import type { CommonTimestamps, PersonaAttributes, PersonaFields, PersonaObject } from './persona-object.js';

/** Transaction attributes. */
export interface TransactionAttributes extends PersonaAttributes, CommonTimestamps {
  status?: string | null;
  /** Your own id for the transaction. */
  referenceId?: string | null;
  fields?: PersonaFields | null;
  tags?: string[] | null;
}

/** The object of every `transaction.*` event. */
export type TransactionObject = PersonaObject<TransactionAttributes, 'transaction'>;
