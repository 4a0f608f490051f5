/**
 * The parsed event every handler receives, and the types that tie an event name to its object.
 */
import type { AccountObject } from './objects/account.js';
import type { CaseObject } from './objects/case.js';
import type { DocumentObject } from './objects/document.js';
import type { InquiryObject } from './objects/inquiry.js';
import type { InquirySessionObject } from './objects/inquiry-session.js';
import type { PersonaObject } from './objects/persona-object.js';
import type { ReportObject } from './objects/report.js';
import type { SelfieObject } from './objects/selfie.js';
import type { TransactionObject } from './objects/transaction.js';
import type { VerificationObject } from './objects/verification.js';

/**
 * A verified Persona webhook event with its keys normalised to camelCase.
 *
 * @example
 * const parsed = parseEvent(body);
 * if (parsed.ok) console.log(parsed.event.name, parsed.event.inquiryId);
 */
export interface PersonaEvent<N extends string = string, O extends PersonaObject = PersonaObject> {
  /** `evt_…`: unique per event, the deduplication key (Persona delivers at least once). */
  id: string;
  /** `data.attributes.name`, e.g. `inquiry.approved`. */
  name: N;
  /** The event's created-at exactly as sent (ISO 8601): the ordering key, as delivery order is not guaranteed. */
  createdAt: string;
  /** `createdAt` in epoch milliseconds. */
  createdAtMs: number;
  /** The affected object, `data.attributes.payload.data`. */
  object: O;
  /**
   * `payload.included`; empty when absent: webhook allowlists may drop it, and from API version
   * 2025-10-27 Persona sends related objects only when asked for.
   */
  included: PersonaObject[];
  /**
   * `data.attributes.context`, keys camelCased: extra facts some events carry from API version
   * 2026-01-12 on (e.g. `relationSchemaKey` and `relatedAccountId` on `account.added-relation`). Absent
   * when the event has none.
   */
  context?: Record<string, unknown>;
  /** The inquiry this event belongs to: the object itself if it is an inquiry, else its `inquiry` relationship. */
  inquiryId: string | null;
  /** The account this event belongs to: the object itself if it is an account, else its `account` relationship. */
  accountId: string | null;
  /**
   * The object's `reference-id` (your user id), read by the same rule as the inbox's column: only from
   * inquiries, accounts and transactions (the objects whose documented attributes carry one), the first
   * spelling present (`reference-id`, `reference_id`, `referenceId`) when a body has several.
   */
  referenceId: string | null;
  /** The exact bytes Persona signed. */
  raw: Uint8Array;
}

/**
 * The object type an event name carries. `inquiry.` and `inquiry-session.` cannot collide: the
 * character after `inquiry` is `.` in one and `-` in the other. Unknown prefixes get `PersonaObject`.
 */
export type ObjectForEvent<N extends string> = N extends `inquiry.${string}`
  ? InquiryObject
  : N extends `inquiry-session.${string}`
    ? InquirySessionObject
    : N extends `verification.${string}`
      ? VerificationObject
      : N extends `account.${string}`
        ? AccountObject
        : N extends `case.${string}`
          ? CaseObject
          : N extends `report/${string}`
            ? ReportObject
            : N extends `document.${string}`
              ? DocumentObject
              : N extends `selfie.${string}`
                ? SelfieObject
                : N extends `transaction.${string}`
                  ? TransactionObject
                  : PersonaObject;

/**
 * The event a handler for `N` receives. Distributes over unions, so a handler for
 * `'inquiry.approved' | 'verification.passed'` gets a union it can narrow by `event.name`.
 */
export type EventFor<N extends string> = N extends string ? PersonaEvent<N, ObjectForEvent<N>> : never;
