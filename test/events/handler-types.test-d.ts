import { describe, expectTypeOf, it } from 'vitest';
import { createDispatcher, unknownEvent } from '../../packages/persona-webhooks/src/dispatch/dispatcher.js';
import type {
  EventFor,
  ObjectForEvent,
  PersonaEvent,
} from '../../packages/persona-webhooks/src/events/event.js';
import type { AccountObject } from '../../packages/persona-webhooks/src/events/objects/account.js';
import type {
  InquiryObject,
  InquiryStatus,
} from '../../packages/persona-webhooks/src/events/objects/inquiry.js';
import type { InquirySessionObject } from '../../packages/persona-webhooks/src/events/objects/inquiry-session.js';
import type { PersonaObject } from '../../packages/persona-webhooks/src/events/objects/persona-object.js';
import type { ReportObject } from '../../packages/persona-webhooks/src/events/objects/report.js';
import type {
  VerificationObject,
  VerificationStatus,
} from '../../packages/persona-webhooks/src/events/objects/verification.js';

const dispatcher = createDispatcher();

describe('handler types', () => {
  it('narrows a known name to its object', () => {
    dispatcher.on('inquiry.approved', (event) => {
      expectTypeOf(event.name).toEqualTypeOf<'inquiry.approved'>();
      expectTypeOf(event.object).toEqualTypeOf<InquiryObject>();
      expectTypeOf(event.object.type).toEqualTypeOf<'inquiry'>();
      expectTypeOf(event.object.attributes.status).toEqualTypeOf<InquiryStatus | null | undefined>();
      expectTypeOf(event.object.attributes.referenceId).toEqualTypeOf<string | null | undefined>();
      // @ts-expect-error the status is not a number
      const status: number = event.object.attributes.status;
      return status;
    });
    dispatcher.on('verification.passed', (event) => {
      expectTypeOf(event.object.type).toEqualTypeOf<`verification/${string}`>();
      expectTypeOf(event.object.attributes.status).toEqualTypeOf<VerificationStatus | null | undefined>();
    });
  });

  it('keeps inquiry. and inquiry-session. apart', () => {
    expectTypeOf<ObjectForEvent<'inquiry.started'>>().toEqualTypeOf<InquiryObject>();
    expectTypeOf<ObjectForEvent<'inquiry-session.started'>>().toEqualTypeOf<InquirySessionObject>();
    expectTypeOf<ObjectForEvent<'report/watchlist.matched'>>().toEqualTypeOf<ReportObject>();
    expectTypeOf<ObjectForEvent<'account.redacted'>>().toEqualTypeOf<AccountObject>();
    expectTypeOf<ObjectForEvent<'some.future-event'>>().toEqualTypeOf<PersonaObject>();
    expectTypeOf<ObjectForEvent<string>>().toEqualTypeOf<PersonaObject>();
  });

  it('gives a union of events, discriminated by name, for a list of names', () => {
    dispatcher.on(['inquiry.approved', 'verification.passed'], (event) => {
      expectTypeOf(event).toEqualTypeOf<EventFor<'inquiry.approved'> | EventFor<'verification.passed'>>();
      if (event.name === 'verification.passed')
        expectTypeOf(event.object).toEqualTypeOf<VerificationObject>();
      else expectTypeOf(event.object).toEqualTypeOf<InquiryObject>();
    });
  });

  it('refuses unknown and misspelt names in on()', () => {
    // @ts-expect-error a typo is a compile error, not a handler that never runs
    dispatcher.on('inquiry.aproved', () => undefined);
    // @ts-expect-error a name Persona may add later needs the explicit escape hatch
    dispatcher.on('some.future-event', () => undefined);
    // @ts-expect-error one unknown name in a list is refused too
    dispatcher.on(['inquiry.approved', 'some.future-event'], () => undefined);
    // @ts-expect-error a plain string is not a known name
    dispatcher.on('inquiry.approved' as string, () => undefined);
  });

  it('takes newer names through unknownEvent(), untyped', () => {
    const name = unknownEvent('some.future-event');
    expectTypeOf(name).toMatchTypeOf<string>();
    const remove = dispatcher.on(name, (event) => {
      expectTypeOf(event).toEqualTypeOf<PersonaEvent>();
      expectTypeOf(event.object.attributes['status']).toEqualTypeOf<unknown>();
      // @ts-expect-error attributes of an unknown object are unknown, not strings
      const status: string = event.object.attributes['status'];
      return status;
    });
    expectTypeOf(remove).toEqualTypeOf<() => void>();
    dispatcher.on([unknownEvent('some.future-event'), 'inquiry.approved'], (event) => {
      expectTypeOf(event).toEqualTypeOf<PersonaEvent>();
    });
    dispatcher.onAny((event) => expectTypeOf(event.name).toEqualTypeOf<string>());
  });

  it('rejects a handler typed for a different event', () => {
    const onVerification = (event: EventFor<'verification.passed'>) => event.object.attributes.checks;
    // @ts-expect-error an inquiry event cannot be handled as a verification event
    dispatcher.on('inquiry.approved', onVerification);
    dispatcher.on('verification.passed', onVerification);
    dispatcher.off('verification.passed', onVerification);
  });

  it('types onAny and onError', () => {
    dispatcher.onAny((event) => expectTypeOf(event).toEqualTypeOf<PersonaEvent>());
    dispatcher.onError((error, event) => {
      expectTypeOf(error.errors).toEqualTypeOf<unknown[]>();
      expectTypeOf(event).toEqualTypeOf<PersonaEvent>();
    });
    // @ts-expect-error dispatch needs a parsed event
    void dispatcher.dispatch({ name: 'inquiry.approved' });
  });
});
