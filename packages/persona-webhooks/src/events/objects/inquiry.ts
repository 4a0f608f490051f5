import type { CommonTimestamps, PersonaAttributes, PersonaFields, PersonaObject } from './persona-object.js';

/** The documented inquiry statuses; `(string & {})` keeps new values compiling without losing completion. */
export type InquiryStatus =
  | 'created'
  | 'pending'
  | 'completed'
  | 'failed'
  | 'expired'
  | 'needs_review'
  | 'approved'
  | 'declined'
  | (string & {});

/** Inquiry attributes. PII attributes are nulled once the inquiry is redacted. */
export interface InquiryAttributes extends PersonaAttributes, CommonTimestamps {
  status?: InquiryStatus | null;
  /** Your own user id, as passed when the inquiry was created. */
  referenceId?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  failedAt?: string | null;
  markedForReviewAt?: string | null;
  decisionedAt?: string | null;
  expiredAt?: string | null;
  expiresAt?: string | null;
  fields?: PersonaFields | null;
  tags?: string[] | null;
  note?: string | null;
  creator?: string | null;
  reviewerComment?: string | null;
  previousStepName?: string | null;
  nextStepName?: string | null;
  /** Device and behaviour signals, e.g. `botScore`, `completionTime`. */
  behaviors?: Record<string, unknown> | null;
  nameFirst?: string | null;
  nameMiddle?: string | null;
  nameLast?: string | null;
  birthdate?: string | null;
  addressStreet1?: string | null;
  addressStreet2?: string | null;
  addressCity?: string | null;
  addressSubdivision?: string | null;
  addressPostalCode?: string | null;
  addressCountryCode?: string | null;
  emailAddress?: string | null;
  phoneNumber?: string | null;
  identificationNumber?: string | null;
}

/** The object of every `inquiry.*` event. */
export type InquiryObject = PersonaObject<InquiryAttributes, 'inquiry'>;
