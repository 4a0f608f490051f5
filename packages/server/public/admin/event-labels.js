/**
 * Plain words for the events a compliance reviewer reads in a user's timeline: cases, screening
 * reports and account changes ("watchlist match", "case resolved: approved"). Words come from the
 * event's name and, where the name does not say (a report that is merely `ready`, a resolution), from
 * the fact that event set in the user's KYC view. Inquiry and verification events keep their names.
 */

const words = (text) => text.replace(/[-_]/g, ' ');

/** The fact (transaction, case, report, account) this event set, if it is the one that set it. */
function factSetBy(event, kyc) {
  if (!kyc) return null;
  const facts = [
    ...(kyc.transactions ?? []),
    ...(kyc.cases ?? []),
    ...(kyc.reports ?? []),
    ...(kyc.accounts ?? []),
  ];
  return facts.find((fact) => fact.statusEventId === event.id) ?? null;
}

/** A label for `event`, or null when its name says enough. */
export function eventLabel(event, kyc) {
  const [family, action = ''] = splitName(event.name);
  const fact = factSetBy(event, kyc);
  if (family.startsWith('report/')) {
    const type = words(family.slice('report/'.length));
    if (action === 'matched' || fact?.hasMatch === true) return `${type} match`;
    if (action === 'errored') return `${type} report errored`;
    if (fact?.hasMatch === false) return `${type} report: no match`;
    return `${type} report ${words(action)}`;
  }
  if (family === 'case') {
    if (action === 'created') return 'case opened';
    if (action === 'resolved')
      return fact?.resolution ? `case resolved: ${words(fact.resolution)}` : 'case resolved';
    if (action === 'status-updated')
      return fact?.status ? `case status: ${words(fact.status)}` : 'case status changed';
    return `case ${words(action)}`;
  }
  if (family === 'account' && action === 'status-updated') {
    return fact?.status ? `account status: ${words(fact.status)}` : 'account status changed';
  }
  if (family === 'transaction' && action === 'status-updated') {
    return fact?.status ? `transaction status: ${words(fact.status)}` : 'transaction status changed';
  }
  return null;
}

/** Whether an event belongs in the "cases and reports" timeline rather than an inquiry's. */
export function isComplianceEvent(event) {
  const [family] = splitName(event.name);
  return (
    family === 'case' || family.startsWith('report/') || family === 'account' || family === 'transaction'
  );
}

function splitName(name) {
  const dot = name.indexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}
