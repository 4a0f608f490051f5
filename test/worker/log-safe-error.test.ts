/**
 * What of a handler's error message reaches the logs: the message, with the event's own payload values
 * and other personal-looking data redacted, and a length cap.
 */
import { describe, expect, it } from 'vitest';
import { buildEvent } from '../../packages/persona-webhooks/src/simulate/build-event.js';
import {
  loggableErrorText,
  MAX_LOGGED_ERROR,
} from '../../packages/persona-webhooks/src/worker/log-safe-error.js';

const built = buildEvent({
  name: 'inquiry.approved',
  inquiryId: 'inq_logsafe01',
  referenceId: 'user-logsafe',
});

describe('loggableErrorText', () => {
  it('keeps the message, ids and the event name, and redacts every payload value it quotes', () => {
    const error = new Error(
      'CRM 409 for inq_logsafe01 (inquiry.approved): Jane Example, born 1990-01-01, of 1 Example Street, Exampleville; user user-logsafe',
    );
    const text = loggableErrorText(error, built.body);
    expect(text).toBe(
      'Error: CRM 409 for inq_logsafe01 (inquiry.approved): [redacted] [redacted], born [redacted], of [redacted], [redacted]; user [redacted]',
    );
  });

  it('redacts e-mail addresses and long digit runs that are not in the payload', () => {
    const text = loggableErrorText(new Error('mail to jane@example.org failed; call +1 555 123 4567'), null);
    expect(text).toBe('Error: mail to [redacted] failed; call +[redacted]');
  });

  it('redacts inside wrapped errors, and cuts a long message', () => {
    const wrapped = new AggregateError([new TypeError(`no row for Jane ${'x'.repeat(1000)}`)], '1 failed');
    const text = loggableErrorText(wrapped, built.body);
    expect(text.startsWith('AggregateError: 1 failed [TypeError: no row for [redacted] xxx')).toBe(true);
    expect(text).toHaveLength(MAX_LOGGED_ERROR);
    expect(text.endsWith('…')).toBe(true);
  });

  it('copes with a body that is not JSON and with non-errors', () => {
    expect(loggableErrorText(new Error('boom'), 'not json')).toBe('Error: boom');
    expect(loggableErrorText('a string', built.body)).toBe('non-error thrown: string');
  });
});
