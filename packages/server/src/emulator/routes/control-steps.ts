/**
 * What the control routes that move an emulated object share: reading a short text field, running a
 * step (a state it does not allow answers 409, a value it does not know 400) and naming its events.
 */
import type { FastifyReply } from 'fastify';
import { EmulatorConflictError } from '../emulator-compliance.js';
import type { EmulatedEvent } from '../emulator-model.js';
import { sendPersonaError } from './route-context.js';

/** Longest status, resolution or template status accepted: Persona's are short names. */
export const MAX_STATUS_CHARS = 100;

/** A 400 in Persona's error shape, saying what the field must be. */
export function badRequest(reply: FastifyReply, details: string) {
  return sendPersonaError(reply, 400, 'Bad Request', details);
}

/** Non-empty text up to MAX_STATUS_CHARS; null otherwise (absent included). */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_STATUS_CHARS ? value : null;
}

/**
 * Runs a step and answers the object as it is now with the events recorded; a step the object's state
 * does not allow answers 409, a value it does not know 400.
 */
export function step<T>(
  reply: FastifyReply,
  object: T,
  json: (object: T) => unknown,
  run: () => EmulatedEvent[],
) {
  try {
    const events = run();
    return reply.send({ data: json(object), events: eventRefs(events) });
  } catch (error) {
    if (error instanceof EmulatorConflictError)
      return sendPersonaError(reply, 409, 'Conflict', error.message);
    if (error instanceof RangeError) return sendPersonaError(reply, 400, 'Bad Request', error.message);
    throw error;
  }
}

/** The events a step recorded, as a client needs them (to find them in the Events API or the receiver). */
export function eventRefs(events: readonly EmulatedEvent[]) {
  return events.map((event) => ({ id: event.id, name: event.name }));
}
