/**
 * Dead letters: events that failed for good, and "replay all shown" behind a confirmation that says
 * exactly how many will be replayed (malformed bodies are left out: they can never be processed).
 */
import { api } from '../api.js';
import { EmptyState, ErrorState, Loading, PageTitle } from '../components.js';
import { Pager } from '../cursor-pages.js';
import { EventsTable } from '../events-table.js';
import { href } from '../router.js';
import { html, useRef, useState } from '../vendor/preact-htm.js';
import { useEventPages } from './events.js';

function ReplayShown({ events, onDone }) {
  const dialog = useRef(null);
  const [state, setState] = useState({ busy: false, error: null });
  const replayable = events.filter((event) => event.name !== 'malformed');
  const malformed = events.length - replayable.length;
  if (replayable.length === 0) return null;
  const confirm = async () => {
    setState({ busy: true, error: null });
    try {
      const result = await api('/api/events/replay', {
        method: 'POST',
        body: { ids: replayable.map((e) => e.id) },
      });
      dialog.current?.close();
      setState({ busy: false, error: null });
      onDone(result);
    } catch (error) {
      setState({ busy: false, error });
    }
  };
  const count = `${replayable.length} event${replayable.length === 1 ? '' : 's'}`;
  return html`
    <button type="button" class="button button-primary" onClick=${() => dialog.current?.showModal()}>
      Replay all shown (${replayable.length})
    </button>
    <dialog ref=${dialog} class="dialog" aria-labelledby="replay-title" aria-describedby="replay-text">
      <h2 id="replay-title">Replay ${count}?</h2>
      <p id="replay-text">
        The ${count} shown on this page go back in the queue and run again with a fresh set of attempts.
        ${malformed > 0 ? ` ${malformed} malformed bod${malformed === 1 ? 'y is' : 'ies are'} left out: they can never be processed.` : ''}
      </p>
      ${state.error && html`<p class="field-error" role="alert">${state.error.message}</p>`}
      <div class="dialog-actions">
        <button type="button" class="button" onClick=${() => dialog.current?.close()}>Cancel</button>
        <button type="button" class="button button-primary" onClick=${confirm} disabled=${state.busy}>
          ${state.busy ? 'Replaying…' : `Replay ${count}`}
        </button>
      </div>
    </dialog>`;
}

export function DeadLetters() {
  const pages = useEventPages({ status: 'dead' });
  const [message, setMessage] = useState('');
  let body;
  if (pages.error) body = html`<${ErrorState} error=${pages.error} retry=${pages.reload} />`;
  else if (!pages.page) body = html`<${Loading} what="Loading dead letters" />`;
  else if (pages.page.events.length === 0)
    body = html`<${EmptyState} title="No dead letters."><p>Every event was processed, or is still being retried. Events that fail every attempt show up here.</p><//>`;
  else
    body = html`
      <div class="toolbar">
        <${ReplayShown}
          events=${pages.page.events}
          onDone=${(result) => {
            setMessage(
              `Replayed ${result.replayed} event${result.replayed === 1 ? '' : 's'}${result.skipped.length ? `; ${result.skipped.length} had already left the dead letters` : ''}.`,
            );
            pages.reload();
          }}
        />
      </div>
      <${EventsTable} events=${pages.page.events} caption="Dead events, newest received first" wholeErrors=${true} />
      <${Pager} pages=${pages} />`;
  return html`
    <${PageTitle}>Dead letters<//>
    <p class="muted">Events whose handlers failed every attempt, and signed bodies that were not Persona events. Open one to see why, or <a href=${href(['events'], { status: 'dead' })}>filter them on the events page</a>.</p>
    <p class="live" role="status" aria-live="polite">${message}</p>
    ${body}
  `;
}
