/** The schemas of the event inbox's answers: lists, one event, timelines, replays. */
import { z } from 'zod';
import { isoTime, nextCursor, nullableTime } from './common.js';

export const eventSummaryAnswer = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['pending', 'processing', 'done', 'dead']),
  attempts: z.number().int(),
  createdAt: z.string().describe("The event's own created-at, as Persona wrote it."),
  receivedAt: isoTime,
  lastError: z.string().nullable(),
  inquiryId: z.string().nullable(),
  referenceId: z.string().nullable(),
  source: z.enum(['webhook', 'api']),
  unknownName: z
    .boolean()
    .describe('True for an event whose name Persona does not document: processed, but no handler knows it.'),
});

export const eventPageAnswer = z.strictObject({ events: z.array(eventSummaryAnswer), nextCursor });

export const timelineAnswer = z.strictObject({
  events: z.array(eventSummaryAnswer),
  truncated: z.boolean().describe('True when older events were left out (see `limit`).'),
});

export const eventDetailAnswer = eventSummaryAnswer.extend({
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  runAt: isoTime,
  attemptLog: z.array(
    z.strictObject({
      number: z.number().int(),
      run: z.number().int(),
      replayed: z.boolean(),
      attempt: z.number().int(),
      startedAt: isoTime,
      finishedAt: nullableTime,
      durationMs: z.number().nullable(),
      outcome: z.enum(['done', 'retry', 'dead']).nullable(),
      error: z.string().nullable(),
    }),
  ),
  payload: z.unknown().describe('The stored body (JSON, or text when it is not JSON); null once removed.'),
  payloadPurged: z.boolean(),
  payloadState: z.enum(['present', 'redacted', 'purged']),
  payloadRemovedAt: nullableTime,
});

export const eventReplayAnswer = z.strictObject({ outcome: z.literal('replayed'), id: z.string() });

export const eventsReplayAnswer = z.strictObject({
  replayed: z.number().int(),
  skipped: z.array(z.string()).describe('Ids left alone: still queued, or unknown.'),
});
