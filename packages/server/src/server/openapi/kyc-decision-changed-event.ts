/**
 * The `kyc.decision_changed` message as a zod schema, for the OpenAPI document's `webhooks` (receivers
 * generate their types from it). It mirrors the library's `DecisionChangedEvent` type, and the two
 * cannot drift: `IN_SYNC` below fails to compile when they differ, and a test parses what
 * `decisionChangedEvent()` builds.
 */
import { DECISION_CHANGED_TYPE, type DecisionChangedEvent, KYC_DECISION_VALUES } from 'persona-webhooks';
import { z } from 'zod';

/** A decision value, as every schema of the service describes it. */
export const kycDecisionSchema = z.enum(KYC_DECISION_VALUES);
const decision = kycDecisionSchema;
const isoTime = z.iso.datetime();

/** A reason of the decision as the message carries it (`atMs`: epoch milliseconds). */
export const kycReasonSchema = z.strictObject({
  code: z.string().describe('Stable machine code, e.g. `inquiry_approved`, `case_open`, `watchlist_match`.'),
  fact: z
    .enum(['inquiry', 'transaction', 'case', 'report', 'account'])
    .describe('Which kind of fact the reason points at.'),
  id: z.string().describe("The object's id (`inq_…`, `txn_…`, `case_…`, `rep_…`, `act_…`)."),
  status: z
    .string()
    .nullable()
    .describe("The fact's status (a resolved case's resolution); null when unknown."),
  eventId: z.string().describe("The Persona event that set the fact (`evt_…`); '' when none did."),
  atMs: z.number().int().describe("That event's created-at, epoch milliseconds."),
  message: z.string().describe('One sentence for people; no personal data.'),
  setting: z
    .string()
    .optional()
    .describe('The policy setting that produced this reason or can change it (e.g. `caseStatuses`).'),
});

/** The JSON body of every `kyc.decision_changed` message (Standard Webhooks' `type`, `timestamp`, `data`). */
export const kycDecisionChangedEventSchema = z
  .strictObject({
    type: z.literal(DECISION_CHANGED_TYPE),
    timestamp: isoTime.describe('When the change happened (ISO 8601, UTC).'),
    data: z.strictObject({
      referenceId: z.string().describe("The user's Persona reference-id (your user id)."),
      decision: decision.describe('The decision now.'),
      previousDecision: decision
        .nullable()
        .describe('The decision before; null the first time the user is decided.'),
      reasons: z.array(kycReasonSchema).describe('Why, the deciding reason first.'),
      inquiryId: z.string().nullable().describe("The user's most recently created inquiry, when known."),
      personaEventId: z
        .string()
        .nullable()
        .describe(
          'The Persona event whose processing changed the decision; null for a rebuild after an upgrade.',
        ),
      changedAt: isoTime.describe('When the change was committed (ISO 8601, UTC).'),
    }),
  })
  .describe(
    "A user's KYC decision, or its reasons, changed. Carries no Persona payload and no personal data. Signed in the Standard Webhooks format (webhook-id, webhook-timestamp, webhook-signature); the webhook-id is the same on every retry of a message.",
  );

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only while the schema's output type and the library's type are the same. */
export const IN_SYNC: Same<z.output<typeof kycDecisionChangedEventSchema>, DecisionChangedEvent> = true;
