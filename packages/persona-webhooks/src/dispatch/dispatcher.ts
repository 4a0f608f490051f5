/**
 * Routes a parsed event to the handlers registered for its name. Framework-free: the pipeline (inline
 * mode) and the worker both call `dispatch` and map a rejection to "not acknowledged, retry".
 */

import { HandlerFailedError } from '../errors.js';
import type { EventFor, PersonaEvent } from '../events/event.js';
import type { KnownEventName } from '../events/names.js';

/** A handler for any event; may be sync or async. */
export type EventHandler = (event: PersonaEvent) => unknown;

/** Called once per failed dispatch, with the aggregate error; its own failures are swallowed. */
export type ErrorHandler = (error: HandlerFailedError, event: PersonaEvent) => unknown;

/** Any handler `on` or `onAny` accepted, as `off` takes it back (`never[]` accepts every signature without `any`). */
export type RegisteredHandler = (...args: never[]) => unknown;

declare const unknownEventBrand: unique symbol;

/**
 * An event name missing from this package's list (`PERSONA_EVENT_NAMES`), marked with
 * {@link unknownEvent} so `on()` accepts it. The mark exists only in the type system.
 */
export type UnknownEventName<N extends string = string> = N & { readonly [unknownEventBrand]: true };

/**
 * The escape hatch for event names Persona added after this release: `on()` accepts only documented
 * names, so a typo like `'inquiry.aproved'` is a compile error, and a genuinely new name is spelled out
 * on purpose. Its handler gets an untyped `PersonaEvent`; `onAny` sees every event too.
 *
 * @example
 * dispatcher.on(unknownEvent('report/custom-check.ready'), (event) => log(event.object.type));
 */
export function unknownEvent<N extends string>(name: N): UnknownEventName<N> {
  return name as UnknownEventName<N>;
}

/** The name under which `onAny` handlers are kept; `off('*', handler)` removes one. */
export const ANY_EVENT = '*';

/** Registers handlers by event name and runs them for each event. See `createDispatcher`. */
export interface Dispatcher {
  /**
   * Runs `handler` for events named `name` (or any of `names`); the event's object is typed by the
   * name. Only documented names compile: wrap a newer one in {@link unknownEvent}. Returns a remover.
   */
  on<N extends KnownEventName>(name: N | readonly N[], handler: (event: EventFor<N>) => unknown): () => void;
  /** The explicit path for names this package does not know yet: the object is an untyped `PersonaObject`. */
  on(
    name: UnknownEventName | readonly (KnownEventName | UnknownEventName)[],
    handler: EventHandler,
  ): () => void;
  /** Runs `handler` for every event. Returns a remover. */
  onAny(handler: EventHandler): () => void;
  /**
   * Called after a dispatch failed, before `dispatch` rejects: the place to report handler failures
   * (Sentry, your logger). Registering one replaces the inline pipeline's default report on
   * `console.error`. Returns a remover.
   */
  onError(handler: ErrorHandler): () => void;
  /** Whether any `onError` handler is registered (the inline pipeline reports failures itself if not). */
  hasErrorHandlers(): boolean;
  /** Removes a handler registered with `on` (by name) or `onAny` (with `'*'`). */
  off(name: string | readonly string[], handler: RegisteredHandler): void;
  /** Whether dispatching an event named `name` would run at least one handler (`onAny` ones included). */
  hasHandlers(name: string): boolean;
  /**
   * Runs every matching handler concurrently; resolves when all succeeded; rejects with
   * `HandlerFailedError` (listing every failure) otherwise, after calling the `onError` handlers.
   */
  dispatch(event: PersonaEvent): Promise<void>;
}

/**
 * Creates an empty dispatcher. Registering the same function twice for one name runs it once.
 *
 * @example
 * const dispatcher = createDispatcher();
 * dispatcher.on('inquiry.approved', async (event) => {
 *   await grantAccess(event.object.attributes.referenceId); // typed as InquiryObject
 * });
 * dispatcher.on(unknownEvent('report/custom.ready'), (event) => log(event.object.type)); // newer names, on purpose
 * await dispatcher.dispatch(event); // rejects with HandlerFailedError when any handler fails
 */
export function createDispatcher(): Dispatcher {
  const byName = new Map<string, Set<EventHandler>>();
  const errorHandlers = new Set<ErrorHandler>();

  const add = (names: readonly string[], handler: EventHandler): (() => void) => {
    for (const name of names) {
      const handlers = byName.get(name) ?? new Set<EventHandler>();
      handlers.add(handler);
      byName.set(name, handlers);
    }
    return () => remove(names, handler);
  };

  const remove = (names: readonly string[], handler: RegisteredHandler): void => {
    for (const name of names) {
      const handlers = byName.get(name);
      handlers?.delete(handler as EventHandler);
      if (handlers?.size === 0) byName.delete(name);
    }
  };

  // A snapshot, so handlers added or removed while an event is in flight only affect later events.
  const handlersFor = (name: string): EventHandler[] => [
    ...new Set([...(byName.get(name) ?? []), ...(byName.get(ANY_EVENT) ?? [])]),
  ];

  return {
    on(name: string | readonly string[], handler: EventHandler): () => void {
      return add(toNames(name), handler);
    },
    onAny: (handler) => add([ANY_EVENT], handler),
    onError(handler) {
      errorHandlers.add(handler);
      return () => {
        errorHandlers.delete(handler);
      };
    },
    hasErrorHandlers: () => errorHandlers.size > 0,
    off: (name, handler) => remove(toNames(name), handler),
    hasHandlers: (name) => byName.has(name) || byName.has(ANY_EVENT),
    async dispatch(event) {
      const handlers = handlersFor(event.name);
      const results = await Promise.allSettled(handlers.map((handler) => invoke(handler, event)));
      const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      if (errors.length === 0) return;
      const failure = new HandlerFailedError(errors, handlers.length);
      // An error reporter that fails must not hide the handler failure it was reporting.
      await Promise.allSettled(
        [...errorHandlers].map((handler) => invoke(() => handler(failure, event), event)),
      );
      throw failure;
    },
  };
}

function toNames(name: string | readonly string[]): readonly string[] {
  return typeof name === 'string' ? [name] : name;
}

// Starts the handler now (so all handlers run concurrently) and turns a synchronous throw into a rejection.
function invoke(handler: EventHandler, event: PersonaEvent): Promise<unknown> {
  try {
    return Promise.resolve(handler(event));
  } catch (error) {
    return Promise.reject(error);
  }
}
