/**
 * The schemas of the KYC answers (`GET /api/kyc/:id`, `GET /api/inquiries/:id`): what `admin-api/admin-views.ts`
 * builds, described once, so /openapi.json types them and the route registry can check real answers.
 */
import { z } from 'zod';
import { kycDecisionSchema } from '../openapi/kyc-decision-changed-event.js';
import { isoTime, nullableTime } from './common.js';

export const verificationAnswer = z.strictObject({
  verificationId: z.string(),
  type: z.string().describe('e.g. `verification/government-id`.'),
  status: z.string().nullable(),
  statusAt: isoTime,
});

export const reasonAnswer = z.strictObject({
  code: z.string().describe('Stable, e.g. `inquiry_approved`, `watchlist_match`.'),
  fact: z.enum(['inquiry', 'transaction', 'case', 'report', 'account']),
  id: z.string().describe('The id of the inquiry, transaction, case, report or account.'),
  status: z.string().nullable(),
  eventId: z.string().describe('The event that set the fact (empty: none yet).'),
  at: nullableTime,
  message: z.string(),
  setting: z
    .string()
    .nullable()
    .describe(
      "The policy setting that produced the reason or can change it (`caseStatuses`, …); null for a custom policy's.",
    ),
});

export const caseAnswer = z.strictObject({
  caseId: z.string(),
  accountId: z.string().nullable(),
  inquiryId: z.string().nullable(),
  status: z.string().nullable(),
  resolution: z.string().nullable(),
  statusAt: nullableTime,
  statusEventId: z.string(),
  resolvedAt: nullableTime,
  redactedAt: nullableTime,
});

export const reportAnswer = z.strictObject({
  reportId: z.string(),
  type: z.string(),
  accountId: z.string().nullable(),
  inquiryId: z.string().nullable(),
  status: z.string().nullable(),
  hasMatch: z.boolean().nullable(),
  isContinuous: z.boolean().nullable(),
  statusAt: nullableTime,
  statusEventId: z.string(),
  matchedAt: nullableTime.describe('The newest run that found a match.'),
  clearedAt: nullableTime.describe('The newest run that cleared one (a clean run, a dismissal).'),
});

export const transactionAnswer = z.strictObject({
  transactionId: z.string(),
  status: z.string().nullable().describe("The organisation's own status name, normalised."),
  statusAt: nullableTime,
  statusEventId: z.string(),
  createdAt: nullableTime,
  redactedAt: nullableTime,
});

export const accountAnswer = z.strictObject({
  accountId: z.string(),
  status: z.string().nullable(),
  statusAt: nullableTime,
  statusEventId: z.string(),
  redactedAt: nullableTime,
});

export const kycAnswer = z
  .strictObject({
    referenceId: z.string(),
    decision: kycDecisionSchema,
    reasons: z.array(reasonAnswer),
    status: z.string().nullable().describe("The newest inquiry's status (kept for older clients)."),
    inquiryId: z.string().nullable(),
    updatedAt: nullableTime,
    inquiries: z.array(
      z.strictObject({
        inquiryId: z.string(),
        status: z.string().nullable(),
        statusAt: isoTime,
        createdAt: nullableTime,
        redactedAt: nullableTime,
        verifications: z.array(verificationAnswer),
      }),
    ),
    transactions: z.array(transactionAnswer),
    cases: z.array(caseAnswer),
    reports: z.array(reportAnswer),
    accounts: z.array(accountAnswer),
  })
  .describe("A user's KYC decision, its reasons, and the facts it was made from.");

export const inquiryAnswer = z.strictObject({
  inquiryId: z.string(),
  referenceId: z.string().nullable(),
  accountId: z.string().nullable(),
  status: z.string().nullable(),
  statusAt: isoTime,
  createdAt: nullableTime,
  redactedAt: nullableTime,
  updatedAt: isoTime,
  verifications: z.array(verificationAnswer),
});
