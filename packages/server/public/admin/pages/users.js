/**
 * Users: without a reference id, the search and the users by decision (the review queue first); with
 * one, that user: their KYC decision and every reason for it, their cases and screening reports in
 * created-at order, each inquiry with its verifications and the ordered events that shaped it, a link
 * to the inquiry in Persona, and the newest decision changes sent to the application.
 */
import { api } from '../api.js';
import {
  EmptyState,
  ErrorState,
  Loading,
  PageTitle,
  SourceBadge,
  StatusBadge,
  useApi,
} from '../components.js';
import { Decision } from '../decision.js';
import { DeliveriesTable } from '../deliveries-table.js';
import { eventLabel, isComplianceEvent } from '../event-labels.js';
import { Time } from '../format.js';
import { href, navigate } from '../router.js';
import { UsersByDecision } from '../users-by-decision.js';
import { html, useEffect, useRef, useState } from '../vendor/preact-htm.js';

/** How many of a user's newest messages the user page lists; the Deliveries page has them all. */
const USER_DELIVERIES = 5;
const PERSONA_INQUIRY_URL = 'https://app.withpersona.com/dashboard/inquiries/';
const OPEN = new Set(['pending', 'processing', 'dead']);

/** The KYC view (null when no event of the user has been processed) and the user's timeline. */
function useUser(referenceId) {
  const [state, setState] = useState({ loading: true });
  const load = () => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    const id = encodeURIComponent(referenceId);
    Promise.all([
      api(`/api/kyc/${id}`).catch((error) => {
        if (error.status === 404) return null;
        throw error;
      }),
      api(`/api/kyc/${id}/events`),
    ]).then(
      ([kyc, timeline]) => current && setState({ loading: false, kyc, timeline, error: null }),
      (error) => current && setState({ loading: false, error }),
    );
    return () => {
      current = false;
    };
  };
  useEffect(load, [referenceId]);
  return { ...state, reload: load };
}

function LookupForm({ referenceId }) {
  const [value, setValue] = useState(referenceId ?? '');
  const input = useRef(null);
  useEffect(() => setValue(referenceId ?? ''), [referenceId]);
  useEffect(() => {
    if (!referenceId) input.current?.focus();
  }, []);
  const submit = (event) => {
    event.preventDefault();
    // The field's own value, not `value`: a submit that arrives before the re-render for the last
    // keystroke would otherwise look up what the field held one key earlier.
    const wanted = (input.current?.value ?? value).trim();
    if (wanted) navigate(href(['users', wanted]));
  };
  return html`<form class="lookup card" role="search" aria-label="Find a user" onSubmit=${submit}>
    <div class="field field-wide">
      <label for="reference-id">Reference id</label>
      <input id="reference-id" ref=${input} type="search" required placeholder="user-123" value=${value} onInput=${(e) => setValue(e.currentTarget.value)} />
    </div>
    <div class="field field-actions"><button type="submit" class="button button-primary">Find</button></div>
    <p class="muted small field-full">Your own user id, as you pass it to Persona as <code>reference-id</code>.</p>
  </form>`;
}

function EventItem({ event, kyc }) {
  const label = eventLabel(event, kyc);
  return html`<li class=${`timeline-item timeline-${event.status}`} data-event-id=${event.id}>
    <div class="timeline-when"><${Time} iso=${event.createdAt} /></div>
    <div class="timeline-what">
      ${label && html`<strong class="event-label">${label}</strong>`}
      <a href=${href(['events', event.id])} class="event-name">${event.name}</a>
      <${StatusBadge} status=${event.status} />
      ${event.source === 'api' && html`<${SourceBadge} source=${event.source} />`}
      ${event.attempts > 1 && html`<span class="muted small">${event.attempts} attempts</span>`}
      ${event.lastError && event.status !== 'done' && html`<span class="error-text block">${event.lastError}</span>`}
      <span class="muted small block">received <${Time} iso=${event.receivedAt} /></span>
    </div>
  </li>`;
}

function Timeline({ events, label, kyc }) {
  return html`<ol class="timeline" aria-label=${label} data-testid="timeline">
    ${events.map((event) => html`<${EventItem} key=${event.id} event=${event} kyc=${kyc} />`)}
  </ol>`;
}

function Verifications({ verifications }) {
  if (verifications.length === 0)
    return html`<p class="muted small">No verification events received for this inquiry.</p>`;
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label="Verifications">
    <table>
      <caption class="visually-hidden">Verifications</caption>
      <thead><tr><th scope="col">Verification</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Since</th></tr></thead>
      <tbody>
        ${verifications.map(
          (v) => html`<tr key=${v.verificationId}>
            <td class="mono">${v.verificationId}</td>
            <td>${v.type.replace(/^verification\//, '')}</td>
            <td><${StatusBadge} status=${v.status} /></td>
            <td><${Time} iso=${v.statusAt} /></td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Plain words for why the newest inquiry's status is what it is, and what is waiting or failed since. */
function Why({ kyc, events }) {
  const current = kyc?.inquiries.find((inquiry) => inquiry.inquiryId === kyc.inquiryId);
  const setter =
    current &&
    events.find(
      (e) => e.inquiryId === current.inquiryId && e.createdAt === current.statusAt && e.status === 'done',
    );
  const since = current ? Date.parse(current.statusAt) : 0;
  const stuck = events.filter(
    (e) =>
      OPEN.has(e.status) &&
      (!current || e.inquiryId === current.inquiryId || e.inquiryId === null) &&
      Date.parse(e.createdAt) >= since,
  );
  const dead = stuck.filter((e) => e.status === 'dead');
  const waiting = stuck.filter((e) => e.status !== 'dead');
  return html`<div class="why" data-testid="why">
    ${
      current
        ? html`<p>
            Inquiry status <strong>${(current.status ?? 'unknown').replace(/_/g, ' ')}</strong> of${' '}
            <span class="mono">${current.inquiryId}</span>, the user's most recent, set by${' '}
            ${setter ? html`<a href=${href(['events', setter.id])}>${setter.name}</a>` : 'an event'} created${' '}
            <${Time} iso=${current.statusAt} />.
          </p>`
        : kyc
          ? html`<p>No inquiry yet: the decision rests on this user's accounts, cases and reports.</p>`
          : html`<p>No status yet: none of this user's inquiry events has been processed.</p>`
    }
    ${dead.map(
      (e) => html`<p class="why-problem" role="note">
        <strong>Not applied:</strong> <a href=${href(['events', e.id])}>${e.name}</a> (created${' '}
        <${Time} iso=${e.createdAt} />) is <strong>dead</strong> after ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}${
          e.lastError ? html`: <span class="error-text">${e.lastError}</span>` : ''
        }. Fix the cause, then open the event and replay it.
      </p>`,
    )}
    ${
      waiting.length > 0 &&
      html`<p class="why-waiting">${waiting.length} newer event${waiting.length === 1 ? ' is' : 's are'} still waiting to be processed${
        waiting.some((e) => e.attempts > 0) ? ' (retrying after a failure)' : ''
      }.</p>`
    }
  </div>`;
}

/** The newest decision changes sent to the application for this user; nothing when none was written. */
function UserDeliveries({ referenceId }) {
  const { data, error } = useApi(
    `/api/deliveries?referenceId=${encodeURIComponent(referenceId)}&limit=${USER_DELIVERIES}`,
  );
  if (error)
    return html`<section class="card"><h2>Sent to your application</h2><${ErrorState} error=${error} /></section>`;
  if (!data || data.deliveries.length === 0) return null;
  return html`<section class="card" aria-labelledby="user-deliveries-title" data-testid="user-deliveries">
    <div class="section-head">
      <h2 id="user-deliveries-title">Sent to your application</h2>
      <a href=${href(['deliveries'], { referenceId })}>All of this user's messages</a>
    </div>
    <${DeliveriesTable} deliveries=${data.deliveries} caption="This user's newest messages" showUser=${false} />
  </section>`;
}

function Inquiry({ inquiry, events, verifications }) {
  return html`<section class="card inquiry" aria-labelledby=${`inq-${inquiry.inquiryId}`}>
    <div class="section-head">
      <h3 id=${`inq-${inquiry.inquiryId}`}><span class="mono">${inquiry.inquiryId}</span> <${StatusBadge} status=${inquiry.status ?? 'not processed'} /></h3>
      <a href=${`${PERSONA_INQUIRY_URL}${encodeURIComponent(inquiry.inquiryId)}`} target="_blank" rel="noopener noreferrer">
        Open in Persona<span class="visually-hidden"> (opens in a new tab)</span> ↗
      </a>
    </div>
    <p class="muted small">
      ${inquiry.createdAt && html`Created <${Time} iso=${inquiry.createdAt} />. `}
      ${inquiry.statusAt && html`Status since <${Time} iso=${inquiry.statusAt} />. `}
      ${inquiry.redactedAt && html`<strong>Redacted <${Time} iso=${inquiry.redactedAt} />.</strong>`}
    </p>
    <h4>Verifications</h4>
    <${Verifications} verifications=${verifications ?? []} />
    <h4>Events, in the order Persona created them</h4>
    <${Timeline} events=${events} label=${`Events of ${inquiry.inquiryId}`} />
  </section>`;
}

export function Users({ referenceId, params }) {
  return html`
    <${PageTitle} title=${referenceId ? `User ${referenceId}` : 'Users'}>${referenceId ? html`User <span class="mono">${referenceId}</span>` : 'Users'}<//>
    <${LookupForm} referenceId=${referenceId} />
    ${
      referenceId
        ? html`<${UserDetail} key=${referenceId} referenceId=${referenceId} />`
        : html`<${UsersByDecision} params=${params} />`
    }
  `;
}

function UserDetail({ referenceId }) {
  const { loading, kyc, timeline, error, reload } = useUser(referenceId);
  if (error) return html`<${ErrorState} error=${error} retry=${reload} />`;
  if (loading && !timeline) return html`<${Loading} what="Looking up the user" />`;
  const events = timeline.events;
  if (!kyc && events.length === 0) {
    return html`<${EmptyState} title=${`Nothing for "${referenceId}".`}>
      <p>No event carried this reference id. Check its spelling and case (it must match exactly), or whether Persona sends
      this user's inquiries to this service. You can also <a href=${href(['events'], { q: referenceId })}>search the events</a>.</p>
    <//>`;
  }
  // Inquiries known to the KYC view, then any only seen in events (none of theirs processed yet).
  const inquiries = [...(kyc?.inquiries ?? [])];
  const compliance = events.filter(isComplianceEvent);
  const inquiryEvents = events.filter((e) => !isComplianceEvent(e));
  for (const event of inquiryEvents) {
    if (event.inquiryId && !inquiries.some((i) => i.inquiryId === event.inquiryId)) {
      inquiries.push({
        inquiryId: event.inquiryId,
        status: null,
        statusAt: null,
        createdAt: null,
        redactedAt: null,
        verifications: [],
      });
    }
  }
  const other = inquiryEvents.filter((e) => !e.inquiryId);
  return html`
    <section class="card summary" aria-labelledby="kyc-title">
      <div class="section-head">
        <h2 id="kyc-title">KYC decision</h2>
        <button type="button" class="button" onClick=${reload} disabled=${loading}>${loading ? 'Refreshing…' : 'Refresh'}</button>
      </div>
      <${Decision} kyc=${kyc} />
      <${Why} kyc=${kyc} events=${events} />
      ${timeline.truncated && html`<p class="muted small">Showing the newest ${events.length} events only.</p>`}
    </section>
    <${UserDeliveries} referenceId=${referenceId} />
    ${
      compliance.length > 0 &&
      html`<section class="card" aria-labelledby="compliance-title">
        <h2 id="compliance-title">Cases and screening reports</h2>
        <${Timeline} events=${compliance} label="Cases and reports" kyc=${kyc} />
      </section>`
    }
    <h2>Inquiries</h2>
    ${inquiries.length === 0 && html`<p class="muted" data-testid="no-inquiries">No inquiry of this user has been received yet.</p>`}
    ${inquiries.map(
      (inquiry) => html`<${Inquiry}
        key=${inquiry.inquiryId}
        inquiry=${inquiry}
        verifications=${inquiry.verifications}
        events=${inquiryEvents.filter((e) => e.inquiryId === inquiry.inquiryId)}
      />`,
    )}
    ${
      other.length > 0 &&
      html`<section class="card"><h3>Other events of this user</h3><${Timeline} events=${other} label="Other events" /></section>`
    }
  `;
}
