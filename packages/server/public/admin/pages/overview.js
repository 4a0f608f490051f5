/**
 * The overview: is the inbox healthy, is Persona still reaching us, is anything stuck or dead, and how
 * many users does each decision hold (who waits for a review)?
 */
import { PerMinuteChart } from '../chart.js';
import { ErrorState, Loading, PageTitle, useApi } from '../components.js';
import { ago, duration, Time } from '../format.js';
import { href } from '../router.js';
import { DECISION_TABS, usersHref } from '../users-by-decision.js';
import { html, useEffect } from '../vendor/preact-htm.js';

const REFRESH_MS = 15_000;

/** One figure; `linkName` names its link for those who cannot see the label beside it. */
function Stat({ label, value, testId, hint, link, linkName, tone = '' }) {
  const number = html`<span class="stat-value" data-testid=${testId}>${value}</span>`;
  return html`<div class=${`card stat ${tone}`}>
    <span class="stat-label">${label}</span>
    ${link ? html`<a href=${link} class="stat-link" aria-label=${linkName}>${number}</a>` : number}
    ${hint && html`<span class="stat-hint">${hint}</span>`}
  </div>`;
}

export function Overview() {
  const { data, error, loading, reload } = useApi('/api/overview');
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  if (error && !data) return html`<${PageTitle}>Overview<//><${ErrorState} error=${error} retry=${reload} />`;
  if (!data) return html`<${PageTitle}>Overview<//><${Loading} />`;
  const { counts } = data;
  const peak = Math.max(0, ...data.receivedPerMinute.map((m) => m.count));
  const sinceRestart =
    Date.parse(data.invalidSignaturesSince) > Date.parse(data.generatedAt) - 24 * 3600_000 + 60_000;

  return html`
    <div class="page-head">
      <${PageTitle}>Overview<//>
      <button type="button" class="button" onClick=${reload} disabled=${loading}>${loading ? 'Refreshing…' : 'Refresh'}</button>
    </div>
    <p class="muted small">As of <${Time} iso=${data.generatedAt} />; refreshes every 15 s.</p>

    <h2 class="visually-hidden">Inbox by status</h2>
    <div class="stats">
      <${Stat} label="Pending" value=${counts.pending} testId="count-pending" link=${href(['events'], { status: 'pending' })} />
      <${Stat} label="Processing" value=${counts.processing} testId="count-processing" link=${href(['events'], { status: 'processing' })} />
      <${Stat} label="Done" value=${counts.done} testId="count-done" link=${href(['events'], { status: 'done' })} />
      <${Stat}
        label="Dead letters"
        value=${counts.dead}
        testId="count-dead"
        link=${href(['dead'])}
        tone=${counts.dead > 0 ? 'stat-alert' : ''}
        hint=${counts.dead > 0 ? 'Failed for good: open to see why and replay' : 'None: nothing waits for a replay'}
      />
      <${Stat}
        label="Dead deliveries"
        value=${data.deliveries.dead}
        testId="count-dead-deliveries"
        link=${href(['deliveries'], { status: 'dead' })}
        tone=${data.deliveries.dead > 0 ? 'stat-alert' : ''}
        hint=${
          data.deliveries.dead > 0
            ? 'Decision changes your application never acknowledged: open to see why and send them again'
            : `None; ${data.deliveries.pending} waiting to be sent`
        }
      />
    </div>

    <h2 class="visually-hidden">Users by KYC decision</h2>
    <div class="stats" data-testid="decision-counts">
      ${DECISION_TABS.filter((tab) => tab.value !== 'all').map(
        (tab) => html`<${Stat}
          key=${tab.value}
          label=${`Users: ${tab.label.toLowerCase()}`}
          value=${data.decisions[tab.value] ?? 0}
          testId=${`decision-${tab.value}`}
          link=${usersHref(tab.value)}
          linkName=${`${data.decisions[tab.value] ?? 0} ${tab.label.toLowerCase()}`}
          tone=${tab.value === 'needs_review' && data.decisions[tab.value] > 0 ? 'stat-warn' : ''}
          hint=${tab.value === 'needs_review' ? (data.decisions[tab.value] > 0 ? 'Held: open the review queue' : 'Nobody waits for a review') : ''}
        />`,
      )}
    </div>

    <div class="stats">
      <${Stat}
        label="Oldest pending event"
        value=${data.oldestPendingAgeSeconds === null ? 'none' : duration(data.oldestPendingAgeSeconds)}
        testId="oldest-pending"
        hint=${data.oldestPendingReceivedAt ? html`received <${Time} iso=${data.oldestPendingReceivedAt} />` : 'Nothing is waiting to be processed'}
        tone=${data.oldestPendingAgeSeconds > 300 ? 'stat-warn' : ''}
      />
      <${Stat}
        label="Last event received"
        value=${data.lastReceivedAt ? ago(data.lastReceivedAt, Date.parse(data.generatedAt)) : 'never'}
        testId="last-received"
        hint=${data.lastReceivedAt ? html`<${Time} iso=${data.lastReceivedAt} />` : 'Point Persona at /webhooks/persona, or try persona-webhooks send'}
      />
      <${Stat}
        label="Invalid signatures, 24 h"
        value=${data.invalidSignatures24h}
        testId="invalid-signatures"
        tone=${data.invalidSignatures24h > 0 ? 'stat-warn' : ''}
        hint=${html`${data.invalidSignatures24h > 0 ? 'Usually a rotated webhook secret: check PERSONA_WEBHOOK_SECRET. ' : ''}${
          sinceRestart
            ? html`Counted by this instance since <${Time} iso=${data.invalidSignaturesSince} />.`
            : 'Counted by this instance.'
        }`}
      />
      ${
        data.reconciliation &&
        html`<${Stat}
          label="Reconciliation"
          value=${data.reconciliation.recovered}
          testId="reconciliation-recovered"
          hint=${html`recovered; last run <${Time} iso=${data.reconciliation.lastRunAt} />`}
        />`
      }
    </div>

    <section class="card" aria-labelledby="per-minute-title">
      <div class="section-head">
        <h2 id="per-minute-title">Events received per minute, last 24 hours</h2>
        <span class="muted"><span data-testid="received-24h">${data.received24h}</span> received · peak ${peak}/min</span>
      </div>
      ${
        data.received24h === 0
          ? html`<p class="state state-empty">No events in the last 24 hours. If Persona should be sending some, check the webhook's URL and enabled events in Persona's Dashboard (<a href=${href(['setup'])}>Setup</a> lists them).</p>`
          : html`<${PerMinuteChart}
              perMinute=${data.receivedPerMinute}
              nowIso=${data.generatedAt}
              label=${`Events received per minute over the last 24 hours: ${data.received24h} in total, at most ${peak} in one minute.`}
            />`
      }
    </section>
  `;
}
