/**
 * The dashboard's setup guide, from the server: the events Persona's webhook must send, derived from the
 * KYC policy the service runs with (never a hand copy that falls behind it), grouped by family.
 */
import { eventFamilies } from '../../policy-events/event-families.js';

export interface WebhookSetupView {
  /** The path Persona's webhook must point at. */
  receiverPath: string;
  /** Whether the events come from a policy file (PERSONA_WEBHOOKS_POLICY) or the default policy. */
  policy: 'file' | 'default';
  /** Every event the policy reads, in Persona's list order. */
  events: string[];
  families: Array<{
    family: string;
    /** `case.*` when the family is needed whole, else null (pick the events one by one). */
    pattern: string | null;
    events: string[];
    reportTypes?: string[];
  }>;
}

export function webhookSetupJson(
  events: readonly string[],
  receiverPath: string,
  fromFile: boolean,
): WebhookSetupView {
  return {
    receiverPath,
    policy: fromFile ? 'file' : 'default',
    events: [...events],
    families: eventFamilies(events).map(({ family, events: names, whole, types }) => ({
      family,
      pattern: whole ? (family === 'report' ? 'report/*' : `${family}.*`) : null,
      events: names,
      ...(types ? { reportTypes: types } : {}),
    })),
  };
}
