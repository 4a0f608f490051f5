/**
 * The admin dashboard: checks the session, shows the sign-in form or the app, and routes between the
 * pages. Loaded as an ES module from this origin only (the CSP allows nothing else).
 */
import { api, whenSignedOut } from './api.js';
import { Loading } from './components.js';
import { DeadLetters } from './pages/dead-letters.js';
import { Deliveries } from './pages/deliveries.js';
import { DeliveryDetail } from './pages/delivery-detail.js';
import { EventDetail } from './pages/event-detail.js';
import { Events } from './pages/events.js';
import { Overview } from './pages/overview.js';
import { Setup } from './pages/setup.js';
import { SignIn } from './pages/sign-in.js';
import { Users } from './pages/users.js';
import { href, useRoute } from './router.js';
import { html, render, useEffect, useRef, useState } from './vendor/preact-htm.js';

const NAV = [
  { label: 'Overview', segments: [], section: '' },
  { label: 'Events', segments: ['events'], section: 'events' },
  { label: 'Dead letters', segments: ['dead'], section: 'dead' },
  { label: 'Deliveries', segments: ['deliveries'], section: 'deliveries' },
  { label: 'Users', segments: ['users'], section: 'users' },
  { label: 'Setup', segments: ['setup'], section: 'setup' },
];

function Page({ route }) {
  if (route.notFound) return notFound();
  const [section, id] = route.segments;
  if (section === 'events' && id) return html`<${EventDetail} key=${id} id=${id} />`;
  if (section === 'events') return html`<${Events} params=${route.params} />`;
  if (section === 'dead') return html`<${DeadLetters} />`;
  if (section === 'deliveries' && id) return html`<${DeliveryDetail} key=${id} id=${id} />`;
  if (section === 'deliveries') return html`<${Deliveries} params=${route.params} />`;
  if (section === 'users') return html`<${Users} referenceId=${id} params=${route.params} />`;
  if (section === 'setup' && !id) return html`<${Setup} />`;
  if (section === undefined) return html`<${Overview} />`;
  return notFound();
}

function notFound() {
  return html`<h1>Not found</h1><p>There is no page here. Go to the <a href="#/">overview</a>.</p>`;
}

function Shell({ onSignOut }) {
  const route = useRoute();
  const main = useRef(null);
  const first = useRef(true);
  const section = route.notFound ? null : (route.segments[0] ?? '');
  // Move focus to the new page's content, as a full page load would, so keyboard and screen reader
  // users start at the top of what changed.
  useEffect(() => {
    if (first.current) first.current = false;
    // A page that focused its own first field (Users) keeps it.
    else if (!main.current?.contains(document.activeElement)) main.current?.focus();
  }, [route.segments.join('/')]);
  return html`
    <a class="skip-link" href="#content" onClick=${(e) => {
      e.preventDefault();
      main.current?.focus();
    }}>Skip to content</a>
    <header class="topbar">
      <a class="brand" href="#/"><img src="/admin/assets/favicon.svg" alt="" width="24" height="24" /> Persona webhooks</a>
      <nav aria-label="Main">
        <ul>
          ${NAV.map(
            (item) =>
              html`<li><a href=${href(item.segments)} aria-current=${item.section === section ? 'page' : undefined}>${item.label}</a></li>`,
          )}
        </ul>
      </nav>
      <button type="button" class="button button-quiet" onClick=${onSignOut}>Sign out</button>
    </header>
    <main id="content" ref=${main} tabindex="-1"><${Page} route=${route} /></main>
  `;
}

function App() {
  const [session, setSession] = useState(undefined);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    api('/admin/session').then(
      (answer) => setSession(answer.signedIn ? answer : null),
      () => setSession(null),
    );
    whenSignedOut(() => {
      setNotice('Your session ended. Sign in again to continue.');
      setSession(null);
    });
  }, []);
  const signOut = async () => {
    try {
      await api('/admin/session', { method: 'DELETE' });
      setNotice('You are signed out.');
    } catch {
      setNotice('Signed out here; the service could not be reached to end the session.');
    }
    setSession(null);
  };
  if (session === undefined) return html`<main id="content"><${Loading} /></main>`;
  if (session === null)
    return html`<${SignIn} notice=${notice} onSignedIn=${(s) => {
      setNotice('');
      setSession(s);
    }} />`;
  return html`<${Shell} onSignOut=${signOut} />`;
}

render(html`<${App} />`, document.getElementById('app'));
