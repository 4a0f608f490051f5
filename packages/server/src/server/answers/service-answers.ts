/** The schemas of the service's own answers: probes, the overview, reconciliation, sessions. */
import { z } from 'zod';
import { isoTime, nullableTime } from './common.js';

export const healthAnswer = z.strictObject({ status: z.literal('ok') });
export const readyAnswer = z.strictObject({ status: z.literal('ready') });
export const metricsAnswer = z.string().describe('The Prometheus text exposition format.');
export const openApiAnswer = z.looseObject({ openapi: z.literal('3.1.0') }).describe('This document.');

export const overviewAnswer = z.looseObject({
  generatedAt: isoTime,
  counts: z.strictObject({
    pending: z.number().int(),
    processing: z.number().int(),
    done: z.number().int(),
    dead: z.number().int(),
  }),
  deadLetters: z.number().int(),
  decisions: z
    .strictObject({
      approved: z.number().int(),
      declined: z.number().int(),
      needs_review: z.number().int(),
      pending: z.number().int(),
    })
    .describe('Users per KYC decision: the same count as the persona_webhook_kyc_users metric.'),
  deliveries: z
    .strictObject({ pending: z.number().int(), dead: z.number().int() })
    .describe('Messages to your applications: waiting or being sent, and dead.'),
  received24h: z.number().int(),
  receivedPerMinute: z.array(z.strictObject({ minute: isoTime, count: z.number().int() })),
  invalidSignatures24h: z.number().int(),
  invalidSignaturesSince: isoTime,
  oldestPendingReceivedAt: nullableTime,
  oldestPendingAgeSeconds: z.number().int().nullable(),
  lastReceivedAt: nullableTime,
  reconciliation: z
    .strictObject({
      lastRunAt: nullableTime,
      result: z.enum(['ok', 'failed']).nullable(),
      recovered: z.number().int(),
    })
    .nullable(),
});

export const reconcileAnswer = z.strictObject({
  enabled: z.boolean(),
  offReason: z.string().nullable(),
  intervalSeconds: z.number().nullable(),
  running: z.boolean(),
  lastRun: z
    .strictObject({
      startedAt: nullableTime,
      finishedAt: nullableTime,
      result: z.enum(['ok', 'failed']).nullable(),
      error: z.string().nullable(),
      recovered: z.number().int().nullable(),
    })
    .nullable(),
  checkpoint: nullableTime,
  nextRunAt: nullableTime,
  failuresInARow: z.number().int(),
  recoveredTotal: z.number().int(),
});

export const sessionAnswer = z.union([
  z.strictObject({ signedIn: z.literal(true), expiresAt: isoTime }),
  z.strictObject({ signedIn: z.literal(false) }),
]);

export const webhookAnswer = z
  .looseObject({
    received: z.boolean().optional(),
    duplicate: z.boolean().optional(),
    ping: z.boolean().optional(),
    quarantined: z.boolean().optional(),
  })
  .describe('What happened to the event.');

export const redirectAnswer = z.null().describe('No body: the `Location` header says where.');

export const setupAnswer = z
  .strictObject({
    receiverPath: z.string().describe("The path Persona's webhook must point at."),
    policy: z.enum(['file', 'default']).describe('Whether the events come from PERSONA_WEBHOOKS_POLICY.'),
    events: z.array(z.string()).describe('Every event the KYC policy reads.'),
    families: z.array(
      z.strictObject({
        family: z.string(),
        pattern: z.string().nullable(),
        events: z.array(z.string()),
        reportTypes: z.array(z.string()).optional(),
      }),
    ),
  })
  .describe("What Persona's webhook must be for this service.");
