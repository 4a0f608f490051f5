/**
 * `POST /_emulator/events`: record any event by name, optionally in the past (`created-at`) and
 * optionally without delivering it (`deliver: false`), with the ids and fields it carries.
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatorState, RecordEventInput } from '../emulator-state.js';
import { bodyOf, sendPersonaError } from './route-context.js';

/** The text fields `POST /_emulator/events` reads, and the `buildEvent` option each one sets. */
const EVENT_TEXT_FIELDS = {
  'inquiry-id': 'inquiryId',
  'reference-id': 'referenceId',
  'account-id': 'accountId',
  status: 'status',
  'case-id': 'caseId',
  resolution: 'resolution',
  'report-id': 'reportId',
  'transaction-id': 'transactionId',
  'resolved-at': 'resolvedAt',
} as const satisfies Record<string, keyof RecordEventInput>;
type EventTextOption = (typeof EVENT_TEXT_FIELDS)[keyof typeof EVENT_TEXT_FIELDS];

export function registerRecordEventRoute(app: FastifyInstance, state: EmulatorState): void {
  app.post('/_emulator/events', async (request, reply) => {
    const body = bodyOf(request.body);
    const name = body['name'];
    if (typeof name !== 'string' || name.length === 0) {
      return sendPersonaError(reply, 400, 'Bad Request', 'name is required, e.g. inquiry.approved');
    }
    const createdAt = body['created-at'];
    if (createdAt !== undefined && (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)))) {
      return sendPersonaError(reply, 400, 'Bad Request', 'created-at must be an ISO 8601 time');
    }
    const options: Partial<Record<EventTextOption, string>> = {};
    for (const [key, option] of Object.entries(EVENT_TEXT_FIELDS)) {
      const value = body[key];
      if (typeof value === 'string' && value.length > 0) options[option] = value;
    }
    const hasMatch = body['has-match'];
    const event = state.recordEvent({
      ...options,
      name,
      ...(typeof createdAt === 'string' ? { createdAt } : {}),
      ...(typeof hasMatch === 'boolean' ? { hasMatch } : {}),
      deliver: body['deliver'] !== false,
    });
    return reply.code(201).send({ data: event.resource });
  });
}
