import { describe, expect, it, vi } from 'vitest';
import { createDispatcher, unknownEvent } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import { HandlerFailedError, PersonaWebhookError } from '../../packages/persona-webhooks/src/errors.js';
import type { PersonaEvent } from '../../packages/persona-webhooks/src/events/event.js';

function event(name: string): PersonaEvent {
  return {
    id: `evt_${name}`,
    name,
    createdAt: '2024-02-15T23:48:17.732Z',
    createdAtMs: Date.UTC(2024, 1, 15, 23, 48, 17, 732),
    object: { type: 'inquiry', id: 'inq_1', attributes: { status: 'approved' } },
    included: [],
    inquiryId: 'inq_1',
    accountId: null,
    referenceId: null,
    raw: new Uint8Array(),
  };
}

/** A promise plus its resolver, to hold a handler open. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('createDispatcher', () => {
  it('runs only the handlers registered for the event name', async () => {
    const dispatcher = createDispatcher();
    const approved = vi.fn();
    const declined = vi.fn();
    dispatcher.on('inquiry.approved', approved);
    dispatcher.on('inquiry.declined', declined);
    const e = event('inquiry.approved');
    await dispatcher.dispatch(e);
    expect(approved).toHaveBeenCalledWith(e);
    expect(declined).not.toHaveBeenCalled();
  });

  it('resolves when there is no handler at all', async () => {
    await expect(createDispatcher().dispatch(event('inquiry.approved'))).resolves.toBeUndefined();
  });

  it('starts every handler before the first one finishes', async () => {
    const dispatcher = createDispatcher();
    const started: string[] = [];
    const first = gate();
    dispatcher.on('inquiry.approved', async () => {
      started.push('first');
      await first.opened;
    });
    dispatcher.onAny(async () => {
      started.push('second');
    });
    const done = dispatcher.dispatch(event('inquiry.approved'));
    await Promise.resolve();
    expect(started).toEqual(['first', 'second']);
    let settled = false;
    void done.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    first.open();
    await done;
    expect(settled).toBe(true);
  });

  it('waits for all handlers and rejects with every failure, sync throws included', async () => {
    const dispatcher = createDispatcher();
    const syncError = new Error('sync boom with payload data');
    const asyncError = new Error('async boom');
    const slowSuccess = vi.fn(async () => new Promise((resolve) => setTimeout(resolve, 20)));
    dispatcher.on('inquiry.approved', () => {
      throw syncError;
    });
    dispatcher.on('inquiry.approved', slowSuccess);
    dispatcher.on('inquiry.approved', async () => {
      throw asyncError;
    });

    const failure = await dispatcher.dispatch(event('inquiry.approved')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HandlerFailedError);
    expect(failure).toBeInstanceOf(PersonaWebhookError);
    const error = failure as HandlerFailedError;
    expect(error.errors).toEqual([syncError, asyncError]);
    expect([error.code, error.status]).toEqual(['handler_failed', 500]);
    expect(error.message).toMatch(/2 of 3 .*retry/);
    expect(error.message).not.toContain('boom');
    expect(error.toResponse().body).not.toContain('boom');
    expect(slowSuccess).toHaveBeenCalledOnce();
  });

  it('calls onError handlers with the failure before rejecting, and swallows their own failures', async () => {
    const dispatcher = createDispatcher();
    const e = event('inquiry.approved');
    const order: string[] = [];
    dispatcher.on('inquiry.approved', () => {
      throw new Error('handler');
    });
    const reporter = vi.fn(() => {
      order.push('reporter');
    });
    dispatcher.onError(() => {
      throw new Error('reporter broke');
    });
    dispatcher.onError(async () => {
      throw new Error('async reporter broke');
    });
    dispatcher.onError(reporter);

    await dispatcher.dispatch(e).catch(() => order.push('rejected'));
    expect(order).toEqual(['reporter', 'rejected']);
    expect(reporter).toHaveBeenCalledWith(expect.any(HandlerFailedError), e);
  });

  it('does not call onError handlers when everything succeeds, and stops after removal', async () => {
    const dispatcher = createDispatcher();
    const reporter = vi.fn();
    const removeReporter = dispatcher.onError(reporter);
    dispatcher.on('inquiry.approved', () => undefined);
    await dispatcher.dispatch(event('inquiry.approved'));
    expect(reporter).not.toHaveBeenCalled();

    dispatcher.on('inquiry.declined', () => Promise.reject(new Error('x')));
    removeReporter();
    await expect(dispatcher.dispatch(event('inquiry.declined'))).rejects.toThrow(HandlerFailedError);
    expect(reporter).not.toHaveBeenCalled();
  });

  it('removes handlers with the returned function and with off', async () => {
    const dispatcher = createDispatcher();
    const viaRemover = vi.fn();
    const viaOff = vi.fn();
    const anyViaOff = vi.fn();
    const remove = dispatcher.on(['inquiry.approved', 'inquiry.declined'], viaRemover);
    dispatcher.on('inquiry.approved', viaOff);
    dispatcher.onAny(anyViaOff);

    remove();
    dispatcher.off('inquiry.approved', viaOff);
    dispatcher.off('*', anyViaOff);
    await dispatcher.dispatch(event('inquiry.approved'));
    await dispatcher.dispatch(event('inquiry.declined'));
    expect([viaRemover, viaOff, anyViaOff].map((fn) => fn.mock.calls.length)).toEqual([0, 0, 0]);
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(false);
  });

  it('off removes only the named registrations', async () => {
    const dispatcher = createDispatcher();
    const handler = vi.fn();
    dispatcher.on(['inquiry.approved', 'inquiry.declined'], handler);
    dispatcher.off('inquiry.approved', handler);
    await dispatcher.dispatch(event('inquiry.approved'));
    await dispatcher.dispatch(event('inquiry.declined'));
    expect(handler.mock.calls.map(([e]) => (e as PersonaEvent).name)).toEqual(['inquiry.declined']);
  });

  it('runs onAny handlers for every event, known or not, once each', async () => {
    const dispatcher = createDispatcher();
    const names: string[] = [];
    const both = vi.fn();
    dispatcher.onAny((e) => {
      names.push(e.name);
    });
    dispatcher.on('inquiry.approved', both);
    dispatcher.onAny(both);
    await dispatcher.dispatch(event('inquiry.approved'));
    await dispatcher.dispatch(event('some.future-event'));
    expect(names).toEqual(['inquiry.approved', 'some.future-event']);
    expect(both).toHaveBeenCalledTimes(2);
  });

  it('routes arrays of names and unknown names', async () => {
    const dispatcher = createDispatcher();
    const decided: string[] = [];
    const future = vi.fn();
    dispatcher.on(['inquiry.approved', 'inquiry.declined'], (e) => {
      decided.push(e.name);
    });
    dispatcher.on(unknownEvent('some.future-event'), future);
    for (const name of ['inquiry.approved', 'inquiry.completed', 'inquiry.declined', 'some.future-event']) {
      await dispatcher.dispatch(event(name));
    }
    expect(decided).toEqual(['inquiry.approved', 'inquiry.declined']);
    expect(future).toHaveBeenCalledOnce();
  });

  it('reports whether an event name has handlers', () => {
    const dispatcher = createDispatcher();
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(false);
    const remove = dispatcher.on('inquiry.approved', () => undefined);
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(true);
    expect(dispatcher.hasHandlers('inquiry.declined')).toBe(false);
    const removeAny = dispatcher.onAny(() => undefined);
    expect(dispatcher.hasHandlers('inquiry.declined')).toBe(true);
    remove();
    removeAny();
    expect(dispatcher.hasHandlers('inquiry.approved')).toBe(false);
  });

  it('uses a snapshot: a handler added during a dispatch runs from the next event on', async () => {
    const dispatcher = createDispatcher();
    const late = vi.fn();
    dispatcher.on('inquiry.approved', () => {
      dispatcher.on('inquiry.approved', late);
    });
    await dispatcher.dispatch(event('inquiry.approved'));
    expect(late).not.toHaveBeenCalled();
    await dispatcher.dispatch(event('inquiry.approved'));
    expect(late).toHaveBeenCalledOnce();
  });
});
