/**
 * The JSON of `GET /api/kyc` (users by decision, newest change first) and its schema, which
 * /openapi.json publishes. `kycPageJson` is typed by the schema's output, so the two cannot drift
 * without a compile error; a test also parses real answers with it.
 */
import type { KycPage, KycSummary } from 'persona-webhooks';
import { z } from 'zod';
import { kycDecisionSchema, kycReasonSchema } from '../openapi/kyc-decision-changed-event.js';
import { reasonJson } from './admin-views.js';

const isoTime = z.iso.datetime();

/**
 * A reason as the admin API gives it (`reasonJson`): the message's, with its time as ISO, not epoch
 * ms, and `setting` always present (null for a custom policy's reasons).
 */
const reasonSchema = kycReasonSchema.omit({ atMs: true }).extend({
  at: isoTime.nullable().describe("That event's created-at; null when no event set the fact."),
  setting: z
    .string()
    .nullable()
    .describe('The policy setting that produced this reason or can change it; null for a custom policy.'),
});

const userSchema = z.strictObject({
  referenceId: z.string().describe("The user's Persona reference-id (your user id)."),
  decision: kycDecisionSchema,
  reasons: z.array(reasonSchema).describe('Why, the deciding reason first.'),
  changedAt: isoTime.describe(
    'When the decision or its reasons last changed: the `changedAt` of the `kyc.decision_changed` message it caused.',
  ),
  changedByEventId: z
    .string()
    .nullable()
    .describe('The Persona event whose processing made that change; null when a rebuild made it.'),
  inquiryId: z
    .string()
    .nullable()
    .describe("The user's most recently created inquiry; null while none is known."),
  status: z.string().nullable().describe("That inquiry's status (not the decision)."),
});

/** The body of `GET /api/kyc`. */
export const kycPageSchema = z
  .strictObject({
    users: z.array(userSchema).describe('Newest decision change first; ties by reference id, descending.'),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last.'),
  })
  .describe('One page of users with their decisions.');

function kycSummaryJson(user: KycSummary): z.output<typeof userSchema> {
  return {
    referenceId: user.referenceId,
    decision: user.decision,
    reasons: user.reasons.map(reasonJson),
    changedAt: new Date(user.changedAtMs).toISOString(),
    changedByEventId: user.changedByEventId,
    inquiryId: user.inquiryId,
    status: user.status,
  };
}

/** A `listKyc` page as the API, the CLI's `--json` and the dashboard read it. */
export function kycPageJson(page: KycPage): z.output<typeof kycPageSchema> {
  return { users: page.users.map(kycSummaryJson), nextCursor: page.nextCursor };
}
