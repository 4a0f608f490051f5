import { describe, expectTypeOf, it } from 'vitest';
import { createDispatcher } from '../../src/dispatch/dispatcher.js';
import type { EventFor, ObjectForEvent, PersonaEvent } from '../../src/events/event.js';
import type { AccountObject } from '../../src/events/objects/account.js';
import type { InquiryObject, InquiryStatus } from '../../src/events/objects/inquiry.js';
import type { InquirySessionObject } from '../../src/events/objects/inquiry-session.js';
import type { PersonaObject } from '../../src/events/objects/persona-object.js';
import type { ReportObject } from '../../src/events/objects/report.js';
import type { VerificationObject, VerificationStatus } from '../../src/events/objects/verification.js';

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

  it('takes unknown names through the generic path', () => {
    const remove = dispatcher.on('some.future-event', (event) => {
      expectTypeOf(event).toEqualTypeOf<PersonaEvent>();
      expectTypeOf(event.object.attributes['status']).toEqualTypeOf<unknown>();
      // @ts-expect-error attributes of an unknown object are unknown, not strings
      const status: string = event.object.attributes['status'];
      return status;
    });
    expectTypeOf(remove).toEqualTypeOf<() => void>();
    dispatcher.on(['some.future-event', 'inquiry.approved'], (event) => {
      expectTypeOf(event).toEqualTypeOf<PersonaEvent>();
    });
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
