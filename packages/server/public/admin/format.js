/**
 * Dates in the viewer's time zone (with the UTC value on hover), durations and ages in words a human
 * reads at a glance.
 */
import { html } from './vendor/preact-htm.js';

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const localShort = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** The UTC value as `2026-11-27 06:28:01.123 UTC`. */
export function utc(iso) {
  return `${iso.replace('T', ' ').replace('Z', '')} UTC`;
}

/** A `<time>` in the viewer's zone; hovering (or a screen reader's description) gives UTC. */
export function Time({ iso, short = false }) {
  if (!iso) return html`<span class="muted">—</span>`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`<span>${iso}</span>`;
  return html`<time datetime=${iso} title=${utc(date.toISOString())}>${(short ? localShort : local).format(date)}</time>`;
}

/** `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** `3 min ago` from an ISO time. */
export function ago(iso, nowMs = Date.now()) {
  if (!iso) return '';
  return `${duration(Math.max(0, (nowMs - Date.parse(iso)) / 1000))} ago`;
}

/** `120 ms`, `2.4 s`. */
export function millis(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A datetime-local input's value (viewer's zone) → ISO, or '' when empty. */
export function localInputToIso(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** ISO → a datetime-local input's value in the viewer's zone. */
export function isoToLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
