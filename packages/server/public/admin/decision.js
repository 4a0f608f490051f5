/**
 * A user's KYC decision and every reason for it, the deciding one first: each reason says what it is
 * about (an inquiry, a transaction, a case, a report, an account, by id), links the event that set it,
 * and names the policy setting that maps it.
 */
import { StatusBadge } from './components.js';
import { Time } from './format.js';
import { href } from './router.js';
import { html } from './vendor/preact-htm.js';

const FACT_WORDS = {
  inquiry: 'inquiry',
  transaction: 'transaction',
  case: 'case',
  report: 'report',
  account: 'account',
};

function Reason({ reason }) {
  return html`<li class=${`reason reason-${reason.fact}`} data-code=${reason.code}>
    <span class="reason-code mono">${reason.code}</span>
    <span class="reason-message">${reason.message}</span>
    <span class="muted small block">
      ${FACT_WORDS[reason.fact] ?? reason.fact}${reason.id && html` <span class="mono">${reason.id}</span>`}${
        reason.status && html` (${reason.status.replace(/_/g, ' ')})`
      }${
        reason.eventId
          ? html`, set by event <a class="mono" href=${href(['events', reason.eventId])}>${reason.eventId}</a>${
              reason.at && html` created <${Time} iso=${reason.at} />`
            }`
          : ', set by no event yet'
      }${
        // Where to change it: the policy file's key (PERSONA_WEBHOOKS_POLICY) that produced this reason.
        reason.setting &&
        html`; policy setting <span class="mono" data-testid="reason-setting">${reason.setting}</span>`
      }
    </span>
  </li>`;
}

/** The decision badge and the list of reasons. */
export function Decision({ kyc }) {
  if (!kyc) {
    return html`<p class="kyc-status" data-testid="kyc-status"><${StatusBadge} status="no status" /></p>`;
  }
  return html`
    <p class="kyc-status" data-testid="kyc-status"><${StatusBadge} status=${kyc.decision} /></p>
    <h3 class="reasons-title">Why</h3>
    <ol class="reasons" data-testid="reasons" aria-label="Reasons for the decision">
      ${kyc.reasons.map((reason) => html`<${Reason} key=${`${reason.code}:${reason.id}`} reason=${reason} />`)}
    </ol>
  `;
}
