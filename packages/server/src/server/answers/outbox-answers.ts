/** The schemas of the outbox's answers: endpoints, messages, their attempts and the controls. */
import { z } from 'zod';
import { isoTime, nextCursor, nullableTime } from './common.js';

const DELIVERY_STATUSES = ['pending', 'sending', 'delivered', 'dead'] as const;

export const endpointAnswer = z.strictObject({
  id: z.string(),
  url: z.string().describe('Normalised, with query values and any password masked (`***`).'),
  enabled: z.boolean(),
  source: z.enum(['env', 'cli']),
  createdAt: isoTime,
  secrets: z.array(z.strictObject({ expiresAt: nullableTime })).describe('Never a value: when each expires.'),
  backlog: z
    .strictObject({
      pending: z.number().int(),
      dead: z.number().int(),
      countsCapped: z.boolean(),
      lastError: z.string().nullable(),
      lastStatusCode: z.number().int().nullable(),
    })
    .optional()
    .describe('With `backlog=true`.'),
});

export const endpointsAnswer = z.strictObject({ endpoints: z.array(endpointAnswer) });

export const deliveryAnswer = z.strictObject({
  id: z.string(),
  endpointId: z.string(),
  referenceId: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  createdAt: isoTime,
  nextAttemptAt: nullableTime,
  deliveredAt: nullableTime,
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  decision: z.string().nullable(),
  previousDecision: z.string().nullable(),
});

export const deliveryPageAnswer = z.strictObject({ deliveries: z.array(deliveryAnswer), nextCursor });

const headers = z.record(z.string(), z.string());

export const deliveryDetailAnswer = deliveryAnswer.extend({
  payload: z.unknown().describe('The exact JSON body sent and signed (a `kyc.decision_changed` event).'),
  attemptLog: z.array(
    z.strictObject({
      attempt: z.number().int(),
      startedAt: isoTime,
      durationMs: z.number().nullable(),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
      responseExcerpt: z
        .string()
        .nullable()
        .describe("The answer's first KiB, as text: escape it to show it."),
      requestHeaders: headers.nullable().describe('The headers sent, `webhook-signature` masked.'),
      interrupted: z.boolean().describe('The sender stopped before the outcome was recorded.'),
    }),
  ),
});

export const replayDeliveryAnswer = z.strictObject({ outcome: z.enum(['replayed', 'already_queued']) });
export const sendNowAnswer = z.strictObject({ outcome: z.literal('queued_now') });
export const recoverAnswer = z.strictObject({ recovered: z.number().int() });
export const removedEndpointAnswer = z.strictObject({ removed: z.boolean(), messages: z.number().int() });
export const testMessageAnswer = z.strictObject({
  id: z.string().describe("The test message's `webhook-id` (`msg_test_…`)."),
  ok: z.boolean(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  responseExcerpt: z.string().nullable(),
  requestHeaders: headers.nullable(),
});
