import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isKnownEventName,
  KNOWN_REPORT_TYPES,
  PERSONA_EVENT_NAMES,
} from '../../packages/persona-webhooks/src/events/names.js';

/** Persona's documented names as a data file, so a name Persona adds is a one-line change. */
const snapshot = JSON.parse(
  readFileSync(new URL('../fixtures/persona-event-names.json', import.meta.url), 'utf8'),
) as { retrieved: string; sources: string[]; names: string[] };

describe('event names', () => {
  it('lists each name once', () => {
    expect(new Set(PERSONA_EVENT_NAMES).size).toBe(PERSONA_EVENT_NAMES.length);
  });

  it('types every name of the snapshot of Persona’s documented events', () => {
    expect(snapshot.sources.length).toBeGreaterThan(0);
    expect(snapshot.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const typed = new Set<string>(PERSONA_EVENT_NAMES);
    expect(snapshot.names.filter((name) => !typed.has(name))).toEqual([]);
  });

  it('types the names an independent check found missing', () => {
    for (const name of [
      'report/business-adverse-media.ready',
      'report/business-adverse-media.matched',
      'report/business-adverse-media.dismissed',
      'report/business-adverse-media.errored',
      'report/watchlist.dismissed',
      'verification.skipped',
      'verification.escalated',
      'verification.tentatively-passed',
      'verification.tentatively-failed',
      'account.consolidated-with',
      'account.added-relation',
      'account.removed-relation',
    ]) {
      expect(isKnownEventName(name), name).toBe(true);
    }
  });

  it('names a known report type in every report event, and every known type has an event', () => {
    const types = new Set<string>(KNOWN_REPORT_TYPES);
    const reportNames = PERSONA_EVENT_NAMES.filter((name) => name.startsWith('report/'));
    const typeOf = (name: string) => name.slice('report/'.length, name.lastIndexOf('.'));
    expect(reportNames.filter((name) => !types.has(typeOf(name)))).toEqual([]);
    expect(KNOWN_REPORT_TYPES.filter((type) => !reportNames.some((name) => typeOf(name) === type))).toEqual(
      [],
    );
  });

  it('recognises known names only', () => {
    expect(isKnownEventName('inquiry.approved')).toBe(true);
    expect(isKnownEventName('verification.requires-retry')).toBe(true);
    expect(isKnownEventName('report/watchlist.matched')).toBe(true);
    expect(isKnownEventName('inquiry.approve')).toBe(false);
    expect(isKnownEventName('toString')).toBe(false);
    expect(isKnownEventName('')).toBe(false);
  });
});
