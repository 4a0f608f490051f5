import type { CommonTimestamps, PersonaAttributes, PersonaFields, PersonaObject } from './persona-object.js';

/** Account attributes. PII attributes are nulled once the account is redacted. */
export interface AccountAttributes extends PersonaAttributes, CommonTimestamps {
  /** Your own user id. */
  referenceId?: string | null;
  accountStatus?: string | null;
  fields?: PersonaFields | null;
  tags?: string[] | null;
  nameFirst?: string | null;
  nameLast?: string | null;
  birthdate?: string | null;
  emailAddress?: string | null;
  phoneNumber?: string | null;
}

/** The object of every `account.*` event. */
export type AccountObject = PersonaObject<AccountAttributes, 'account'>;
