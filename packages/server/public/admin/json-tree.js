/**
 * A payload as collapsible JSON: objects and arrays are native <details> (keyboard and screen reader
 * friendly with no script of ours), open for the first levels.
 */
import { html } from './vendor/preact-htm.js';

const OPEN_DEPTH = 2;

function Leaf({ value }) {
  if (value === null) return html`<span class="json-null">null</span>`;
  if (typeof value === 'string') return html`<span class="json-string">"${value}"</span>`;
  if (typeof value === 'number') return html`<span class="json-number">${String(value)}</span>`;
  if (typeof value === 'boolean') return html`<span class="json-boolean">${String(value)}</span>`;
  return html`<span>${String(value)}</span>`;
}

function Node({ name, value, depth }) {
  const label = name === undefined ? null : html`<span class="json-key">${name}</span>: `;
  if (value === null || typeof value !== 'object') {
    return html`<li>${label}<${Leaf} value=${value} /></li>`;
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  if (entries.length === 0)
    return html`<li>${label}<span class="muted">${Array.isArray(value) ? '[]' : '{}'}</span></li>`;
  return html`<li>
    <details open=${depth < OPEN_DEPTH}>
      <summary>${label}<span class="muted">${summary}</span></summary>
      <ul class="json-children">
        ${entries.map(([key, child]) => html`<${Node} key=${key} name=${key} value=${child} depth=${depth + 1} />`)}
      </ul>
    </details>
  </li>`;
}

export function JsonTree({ value }) {
  if (typeof value === 'string') return html`<pre class="json-text">${value}</pre>`;
  return html`<ul class="json-tree"><${Node} value=${value} depth=${0} /></ul>`;
}
