/**
 * A realistic batch of inquiry events for many users, with the final status each user must end with.
 * Each user's inquiry goes created → started → completed → approved|declined, one second apart, so the
 * newest event by created-at decides the status whatever order they arrive in.
 */
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import type { Delivery } from './persona-sender.js';

export interface Scenario {
  deliveries: Delivery[];
  /** reference id → the status it must end with */
  expected: Map<string, string>;
}

export function kycScenario(users: number, options: { prefix?: string; startMs?: number } = {}): Scenario {
  const prefix = options.prefix ?? 'user';
  const start = options.startMs ?? Date.now() - 60 * 60 * 1000;
  const deliveries: Delivery[] = [];
  const expected = new Map<string, string>();
  for (let u = 0; u < users; u++) {
    const referenceId = `${prefix}-${u}`;
    const inquiryId = `inq_${prefix.replace(/\W/g, '')}${String(u).padStart(6, '0')}`;
    const decision = u % 3 === 0 ? 'declined' : 'approved';
    const names = ['inquiry.created', 'inquiry.started', 'inquiry.completed', `inquiry.${decision}`];
    names.forEach((name, step) => {
      const event = buildEvent({
        name,
        referenceId,
        inquiryId,
        createdAt: new Date(start + u * 10_000 + step * 1_000),
        inquiryCreatedAt: new Date(start + u * 10_000),
      });
      deliveries.push({ eventId: event.eventId, body: event.body });
    });
    expected.set(referenceId, decision);
  }
  // Shuffle deterministically: delivery order is not guaranteed by Persona either.
  let seed = 42;
  for (let i = deliveries.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }
  return { deliveries, expected };
}
