import { describe, expect, it } from 'vitest';
import { HandlerFailedError } from '../../packages/persona-webhooks/src/errors.js';
import { attemptFailureText, MAX_ERROR_TEXT } from '../../packages/persona-webhooks/src/worker/error-text.js';

describe('attemptFailureText', () => {
  it('keeps the next step when a long handler message is truncated', () => {
    const error = new HandlerFailedError([new Error('x'.repeat(2_000))], 1);
    const text = attemptFailureText(error, { deadAfter: 8 });
    expect(text.length).toBeLessThanOrEqual(MAX_ERROR_TEXT);
    expect(text).toMatch(
      /^HandlerFailedError: 1 of 1 event handler\(s\) failed \[Error: x+…; dead after 8 attempts: /,
    );
    expect(text).not.toContain('Persona will retry');
  });

  it('names the retry time and the attempt count while attempts are left', () => {
    const text = attemptFailureText(new TypeError('boom'), {
      retryAtMs: Date.UTC(2026, 0, 1, 0, 0, 4),
      attempt: 2,
      maxAttempts: 8,
    });
    expect(text).toBe('TypeError: boom; retry at 2026-01-01T00:00:04.000Z (attempt 2 of 8 failed)');
  });

  it('leaves the inline answer to Persona as it was: there, Persona does retry', () => {
    expect(new HandlerFailedError([new Error('x')], 2).message).toBe(
      '1 of 2 event handler(s) failed, so the event was not acknowledged; Persona will retry it.',
    );
  });
});
