/**
 * Setup: how to point Persona's webhook at this service, with the events it must send. The list comes
 * from the server (GET /api/setup), derived from the KYC policy the service runs with, so it never falls
 * behind the policy: without case and report events a match after approval would leave a user approved.
 */
import { ErrorState, Loading, PageTitle, useApi } from '../components.js';
import { html } from '../vendor/preact-htm.js';

const FAMILY_LABELS = {
  inquiry: 'Inquiries',
  account: 'Accounts',
  case: 'Cases',
  transaction: 'Transactions',
  report: 'Reports',
};

/** What to tick in Persona's Dashboard for one family: its wildcard when needed whole, else its events. */
function Family({ family }) {
  const label = FAMILY_LABELS[family.family] ?? family.family;
  const count = `${family.events.length} event${family.events.length === 1 ? '' : 's'}`;
  const types = family.reportTypes ? ` of ${family.reportTypes.length} report types` : '';
  return html`<li data-testid=${`setup-family-${family.family}`}>
    <details>
      <summary>
        <strong>${label}</strong>: ${family.pattern ? html`<code>${family.pattern}</code> (${count})` : `${count}${types}`}
      </summary>
      <ul class="setup-events">
        ${family.events.map((name) => html`<li><code>${name}</code></li>`)}
      </ul>
    </details>
  </li>`;
}

export function Setup() {
  const { data, error, reload } = useApi('/api/setup');
  const title = html`<${PageTitle}>Set up Persona's webhook<//>`;
  if (error && !data) return html`${title}<${ErrorState} error=${error} retry=${reload} />`;
  if (!data) return html`${title}<${Loading} />`;
  const url = `${window.location.origin}${data.receiverPath}`;
  const policy =
    data.policy === 'file'
      ? 'the KYC policy file this service runs with (PERSONA_WEBHOOKS_POLICY)'
      : 'the default KYC policy';
  return html`
    ${title}
    <section class="card" aria-labelledby="setup-cli">
      <h2 id="setup-cli">With the CLI</h2>
      <p>Creates the webhook subscribed to every event below and prints its secret once:</p>
      <pre><code>npx persona-webhooks webhooks create --url ${url}</code></pre>
      <p>A webhook you have already: <code>npx persona-webhooks webhooks subscribe wbh_…</code> adds what it lacks and keeps its secret.</p>
      <p>Then check the whole chain: <code>npx persona-webhooks doctor --url ${url}</code></p>
    </section>
    <section class="card" aria-labelledby="setup-dashboard">
      <h2 id="setup-dashboard">In Persona's Dashboard</h2>
      <ol>
        <li>Webhooks → <em>Add webhook</em>. URL: <code>${url}</code> (this service's public address).</li>
        <li>
          Enabled events: all events (<code>*</code>), or at least the${' '}
          <strong data-testid="setup-event-count">${data.events.length}</strong> events ${policy} reads.
          Without the case and report events, a case or a watchlist match after approval never reaches
          the decision and the user stays approved.
          <ul class="setup-families">${data.families.map((family) => html`<${Family} family=${family} />`)}</ul>
        </li>
        <li>Key inflection: any (kebab, camel or snake).</li>
        <li>Copy the webhook's secret (<code>wbhsec_…</code>) into <code>PERSONA_WEBHOOK_SECRET</code> and restart.</li>
      </ol>
    </section>
  `;
}
