/**
 * Event names grouped by family (inquiry, account, case, transaction, report): the policy reads well over
 * a hundred events, which `webhooks create`, `doctor` and the dashboard's setup guide must be able to say
 * in a line instead of dumping every name.
 */
import { PERSONA_EVENT_NAMES } from 'persona-webhooks';

/** Families in the order a reader meets them; any other family follows, alphabetically. */
const ORDER = ['inquiry', 'account', 'case', 'transaction', 'report'];

export interface EventFamily {
  /** `inquiry`, `case`, `report` (every report type) … */
  family: string;
  /** The names given of this family, in Persona's list order. */
  events: string[];
  /** Every event Persona documents in this family is among them, so `case.*` says the same thing. */
  whole: boolean;
  /** Report families only: the report types among them (`watchlist`, `screening` …). */
  types?: string[];
}

/** `report` for `report/watchlist.matched`, `case` for `case.resolved`. */
export function familyOf(name: string): string {
  if (name.startsWith('report/')) return 'report';
  const dot = name.indexOf('.');
  return dot === -1 ? name : name.slice(0, dot);
}

/** `watchlist` for `report/watchlist.matched`. */
export function reportTypeOf(name: string): string {
  return name.slice('report/'.length, name.lastIndexOf('.'));
}

const documented = new Map<string, string[]>();
for (const name of PERSONA_EVENT_NAMES) {
  const family = familyOf(name);
  documented.set(family, [...(documented.get(family) ?? []), name]);
}

/**
 * The names grouped by family.
 *
 * @example
 * eventFamilies(['case.created', 'inquiry.approved']); // [{ family: 'inquiry', … }, { family: 'case', … }]
 */
export function eventFamilies(names: readonly string[]): EventFamily[] {
  const byFamily = new Map<string, string[]>();
  for (const name of new Set(names)) {
    const family = familyOf(name);
    byFamily.set(family, [...(byFamily.get(family) ?? []), name]);
  }
  const rank = (family: string) => {
    const index = ORDER.indexOf(family);
    return index === -1 ? ORDER.length : index;
  };
  return [...byFamily.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([family, events]) => {
      const known = documented.get(family) ?? [];
      const whole = known.length > 0 && known.every((name) => events.includes(name));
      return family === 'report'
        ? { family, events, whole, types: [...new Set(events.map(reportTypeOf))] }
        : { family, events, whole };
    });
}

/**
 * How many events of each family, for a summary line.
 *
 * @example
 * countByFamily(kycPolicyEvents()); // 'inquiry 9, account 13, case 13, transaction 8, report 114 (53 types)'
 */
export function countByFamily(names: readonly string[]): string {
  return eventFamilies(names)
    .map(({ family, events, types }) =>
      types && types.length > 1
        ? `${family} ${events.length} (${types.length} types)`
        : `${family} ${events.length}`,
    )
    .join(', ');
}

/**
 * Names a webhook lacks, said briefly, one item per family (`case.* (13 events)`, `account.* except
 * account.redacted (12 events)`) or per report type (`report/watchlist (4 events: …)`); a few names are
 * given as they are. `required` is what the missing names are a part of.
 *
 * @example
 * summarizeMissing(['case.created', …, 'report/watchlist.matched'], kycPolicyEvents());
 * // ['case.* (13 events)', 'report/watchlist.matched']
 */
export function summarizeMissing(missing: readonly string[], required: readonly string[]): string[] {
  const requiredFamilies = new Map(eventFamilies(required).map((family) => [family.family, family]));
  const items: string[] = [];
  for (const { family, events } of eventFamilies(missing)) {
    const needed = requiredFamilies.get(family) ?? { events: [], whole: false };
    if (family === 'report') items.push(...summarizeReports(events, needed.events));
    else items.push(summarizeFamily(family, events, needed));
  }
  return items;
}

/** `case.* (13 events)`, `account.* except account.redacted (12 events)`, or the names (three at most). */
function summarizeFamily(
  family: string,
  missing: readonly string[],
  needed: { events: readonly string[]; whole: boolean },
): string {
  const count = `${missing.length} events`;
  const present = needed.events.filter((name) => !missing.includes(name));
  if (missing.length > 1 && needed.whole && present.length === 0) return `${family}.* (${count})`;
  if (missing.length > 3 && needed.whole && present.length <= 2)
    return `${family}.* except ${present.join(', ')} (${count})`;
  if (missing.length > 3) return `${count} of ${family}.* (${missing.slice(0, 3).join(', ')} …)`;
  return missing.join(', ');
}

/** Report runs: every type missing whole is `report/*`; a type missing whole is one item. */
function summarizeReports(missing: readonly string[], needed: readonly string[]): string[] {
  const outcomes = (names: readonly string[]) => [
    ...new Set(names.map((n) => n.slice(n.lastIndexOf('.') + 1))),
  ];
  if (missing.length === needed.length) {
    const types = new Set(missing.map(reportTypeOf)).size;
    return [`report/* (${missing.length} events of ${types} report types: ${outcomes(missing).join(', ')})`];
  }
  const items: string[] = [];
  const byType = new Map<string, string[]>();
  for (const name of missing)
    byType.set(reportTypeOf(name), [...(byType.get(reportTypeOf(name)) ?? []), name]);
  for (const [type, names] of byType) {
    const ofType = needed.filter((name) => reportTypeOf(name) === type);
    if (names.length > 1 && names.length === ofType.length)
      items.push(`report/${type} (${names.length} events: ${outcomes(names).join(', ')})`);
    else items.push(...names);
  }
  return items;
}
