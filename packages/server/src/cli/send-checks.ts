/**
 * What `send` refuses before building anything: an event name Persona does not send (a typo would be
 * stored as an unknown event and look like a working send), and a flag the named event does not carry
 * (`report/watchlist.matched --reference-id x` would silently drop it: reports have no reference-id).
 */
import { InvalidArgumentError } from 'commander';
import { isKnownEventName, PERSONA_EVENT_NAMES } from 'persona-webhooks';
import { closest } from '../edit-distance.js';

/** The event flags of `send`, by the option property commander gives them. */
export const EVENT_FLAGS = {
  referenceId: '--reference-id',
  inquiryId: '--inquiry-id',
  accountId: '--account-id',
  status: '--status',
  caseId: '--case-id',
  resolution: '--resolution',
  reportId: '--report-id',
  transactionId: '--transaction-id',
  resolvedAt: '--resolved-at',
  accountStatus: '--account-status',
} as const;

type EventFlag = keyof typeof EVENT_FLAGS;

/** Which flags each family's built object uses (`simulate/build-event.ts`). */
function flagsOf(name: string): readonly EventFlag[] {
  const family = name.slice(0, Math.max(0, name.indexOf('.')));
  if (family === 'inquiry') return ['referenceId', 'inquiryId', 'accountId', 'status'];
  if (family === 'verification') return ['inquiryId', 'status'];
  if (family === 'account') return ['referenceId', 'accountId', 'accountStatus'];
  if (family === 'case') {
    const links: EventFlag[] = ['accountId', 'inquiryId', 'reportId', 'transactionId'];
    return name === 'case.resolved'
      ? ['caseId', 'status', 'resolution', 'resolvedAt', ...links]
      : ['caseId', 'status', 'resolvedAt', ...links];
  }
  if (family.startsWith('report/')) return ['reportId', 'status', 'inquiryId', 'accountId', 'transactionId'];
  if (family === 'transaction')
    return ['transactionId', 'referenceId', 'status', 'accountId', 'inquiryId', 'reportId'];
  return ['status', 'inquiryId'];
}

/**
 * Throws InvalidArgumentError for an unknown name (suggesting the closest known one) unless
 * `allowUnknown`, and for any given flag the event does not carry (naming those it does).
 */
export function checkSendArguments(
  name: string,
  given: Partial<Record<EventFlag, unknown>>,
  allowUnknown: boolean,
): void {
  if (!isKnownEventName(name) && !allowUnknown) {
    const suggestion = closest(name, PERSONA_EVENT_NAMES);
    throw new InvalidArgumentError(
      `${name} is not an event Persona sends${suggestion ? `: did you mean ${suggestion}?` : '.'} (--allow-unknown-name sends it anyway, e.g. to try how unknown events are kept)`,
    );
  }
  const allowed = flagsOf(name);
  const extra = (Object.keys(EVENT_FLAGS) as EventFlag[]).filter(
    (flag) => given[flag] !== undefined && !allowed.includes(flag),
  );
  if (extra.length > 0) {
    throw new InvalidArgumentError(
      `${extra.map((flag) => EVENT_FLAGS[flag]).join(', ')} ${extra.length === 1 ? 'does' : 'do'} not apply to ${name}; it takes ${allowed.map((flag) => EVENT_FLAGS[flag]).join(', ')}`,
    );
  }
}
