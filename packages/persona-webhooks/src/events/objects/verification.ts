import type { CommonTimestamps, PersonaAttributes, PersonaObject } from './persona-object.js';

/** The documented verification statuses; new values still compile. */
export type VerificationStatus =
  | 'initiated'
  | 'confirmed'
  | 'submitted'
  | 'passed'
  | 'failed'
  | 'requires_retry'
  | 'canceled'
  | 'skipped'
  | (string & {});

/** One check a verification ran, e.g. `{ name: 'id_expired_detection', status: 'passed' }`. */
export interface VerificationCheck {
  name?: string;
  status?: string | null;
  reasons?: unknown[] | null;
  requirement?: string | null;
  [key: string]: unknown;
}

/** Verification attributes; the rest depends on the verification kind. */
export interface VerificationAttributes extends PersonaAttributes, CommonTimestamps {
  status?: VerificationStatus | null;
  checks?: VerificationCheck[] | null;
  submittedAt?: string | null;
  completedAt?: string | null;
  countryCode?: string | null;
}

/** The object of every `verification.*` event; its type names the kind, e.g. `verification/government-id`. */
export type VerificationObject = PersonaObject<VerificationAttributes, `verification/${string}`>;
