/**
 * Users by KYC decision, newest decision change first: the review queue (`needs_review`, shown first,
 * since it is what a person must act on), the other decisions, or everyone; optionally only the
 * changes since a time. The decision and time are kept in the address, so a filtered list can be
 * linked (the overview's counts do); pages follow the API's cursors.
 */
import { ApiError } from './api.js';
import { EmptyState, ErrorState, Loading, StatusBadge } from './components.js';
import { Pager, useCursorPages } from './cursor-pages.js';
import { isoToUtcInput, Time, utcInputToIso } from './format.js';
import { href, navigate } from './router.js';
import { html, useEffect, useState } from './vendor/preact-htm.js';

/** The filter tabs, in the order a reviewer needs them; `all` asks the API for every decision. */
export const DECISION_TABS = [
  { value: 'needs_review', label: 'Needs review' },
  { value: 'pending', label: 'Pending' },
  { value: 'declined', label: 'Declined' },
  { value: 'approved', label: 'Approved' },
  { value: 'all', label: 'All' },
];
const DEFAULT_DECISION = 'needs_review';

/** What nobody in a list means, per tab. */
const NOBODY = {
  needs_review: 'Nobody is waiting for a review.',
  pending: 'Nobody is pending.',
  declined: 'Nobody is declined.',
  approved: 'Nobody is approved.',
  all: 'No user has a decision yet.',
};

/** The address of the list of users with `decision` (and changed since `changedSince`, when given). */
export function usersHref(decision, changedSince) {
  return href(['users'], { decision, changedSince });
}

function DecisionTabs({ decision, changedSince }) {
  return html`<nav aria-label="Users by decision">
    <ul class="tabs-list">
      ${DECISION_TABS.map(
        (tab) => html`<li key=${tab.value}>
          <a class="tab" href=${usersHref(tab.value, changedSince)} aria-current=${tab.value === decision ? 'page' : undefined}>${tab.label}</a>
        </li>`,
      )}
    </ul>
  </nav>`;
}

function ChangedSince({ decision, changedSince }) {
  const [draft, setDraft] = useState(changedSince);
  useEffect(() => setDraft(changedSince), [changedSince]);
  const submit = (event) => {
    event.preventDefault();
    navigate(usersHref(decision, draft));
  };
  return html`<form class="filters card" role="search" aria-label="Filter users by change time" onSubmit=${submit}>
    <div class="field">
      <label for="u-since">Decision changed since (UTC)</label>
      <input id="u-since" type="datetime-local" value=${isoToUtcInput(draft)} onInput=${(e) => setDraft(utcInputToIso(e.currentTarget.value))} />
    </div>
    <div class="field field-actions">
      <button type="submit" class="button button-primary">Apply</button>
      <a class="button" href=${usersHref(decision)}>Clear</a>
    </div>
  </form>`;
}

/** The deciding reason in words, and how many more there are. */
function Why({ reasons }) {
  const [first, ...rest] = reasons;
  if (!first) return html`<span class="muted">—</span>`;
  return html`<span class="reason-code mono">${first.code}</span>
    <span class="block small">${first.message}</span>
    ${rest.length > 0 && html`<span class="muted small block">and ${rest.map((r) => r.code).join(', ')}</span>`}`;
}

function UsersTable({ users, caption }) {
  return html`<p class="muted small order-note">
      Newest decision change first (a change of the reasons counts too); users changed at the same moment are ordered by reference id.
    </p>
    <div class="table-wrap" tabindex="0" role="region" aria-label=${caption}>
    <table class="users-table">
      <caption class="visually-hidden">${caption}</caption>
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Decision</th>
          <th scope="col">Why</th>
          <th scope="col">Changed</th>
          <th scope="col" class="hide-narrow">Newest inquiry</th>
        </tr>
      </thead>
      <tbody>
        ${users.map(
          (user) => html`<tr key=${user.referenceId} data-reference-id=${user.referenceId}>
            <td><a class="mono user-link" href=${href(['users', user.referenceId])}>${user.referenceId}</a></td>
            <td><${StatusBadge} status=${user.decision} /></td>
            <td class="why-cell" data-codes=${user.reasons.map((r) => r.code).join(' ')}><${Why} reasons=${user.reasons} /></td>
            <td class="nowrap"><${Time} iso=${user.changedAt} /></td>
            <td class="hide-narrow">
              ${
                user.inquiryId
                  ? html`<span class="mono small block">${user.inquiryId}</span><${StatusBadge} status=${user.status ?? 'unknown'} />`
                  : html`<span class="muted">none yet</span>`
              }
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** The list under the Users page's search, for the decision and time in `params`. */
export function UsersByDecision({ params }) {
  const wanted = params.get('decision');
  const decision = DECISION_TABS.some((tab) => tab.value === wanted) ? wanted : DEFAULT_DECISION;
  const changedSince = params.get('changedSince') ?? '';
  const pages = useCursorPages('/api/kyc', {
    decision: decision === 'all' ? undefined : decision,
    changedSince: changedSince || undefined,
  });
  const label = DECISION_TABS.find((tab) => tab.value === decision).label;
  let body;
  if (pages.error) {
    body =
      pages.error instanceof ApiError && pages.error.code === 'invalid_request'
        ? html`<div class="state state-error" role="alert"><p>${pages.error.message}</p><p><a href=${usersHref(decision)}>Clear the time</a>.</p></div>`
        : html`<${ErrorState} error=${pages.error} retry=${pages.reload} />`;
  } else if (!pages.page) body = html`<${Loading} what="Loading users" />`;
  else if (pages.page.users.length === 0)
    body = html`<${EmptyState} title=${changedSince ? 'No decision of these users changed since then.' : NOBODY[decision]}>
      ${changedSince && html`<p>Pick an earlier time, or <a href=${usersHref(decision)}>clear it</a>.</p>`}
    <//>`;
  else
    body = html`<${UsersTable} users=${pages.page.users} caption=${`Users: ${label.toLowerCase()}, newest change first`} /><${Pager} pages=${pages} />`;
  return html`<section aria-labelledby="users-by-decision-title">
    <div class="section-head">
      <h2 id="users-by-decision-title">Users by decision</h2>
      <button type="button" class="button" onClick=${pages.reload} disabled=${pages.loading}>Refresh</button>
    </div>
    <${DecisionTabs} decision=${decision} changedSince=${changedSince} />
    <${ChangedSince} decision=${decision} changedSince=${changedSince} />
    <div aria-live="polite" aria-busy=${pages.loading ? 'true' : 'false'}>${body}</div>
  </section>`;
}
