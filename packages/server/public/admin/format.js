/**
 * Times in one format everywhere — lists, detail pages, the chart and the CLI: `2026-12-02 14:03:07 UTC`,
 * naming its zone, to the second, so a screenshot, a log line and a terminal table agree for everyone.
 * Hovering gives the viewer's own local time. Durations and ages in words a human reads at a glance.
 */
import { html } from './vendor/preact-htm.js';

const local = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'long', // names the viewer's zone
});

/** `2026-11-27 06:28:01 UTC` (milliseconds dropped), or the input as it is when it is not a time. */
export function utcText(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A `<time>` written in UTC to the second; hovering (or a screen reader's description) gives it to the
 * millisecond and in the viewer's local time.
 */
export function Time({ iso }) {
  if (!iso) return html`<span class="muted">—</span>`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`<span>${iso}</span>`;
  // The exact millisecond too: it is what orders events received within the same second.
  const exact = `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
  return html`<time datetime=${iso} title=${`${exact} · ${local.format(date)} (your time)`}>${utcText(iso)}</time>`;
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

/** A datetime-local input's value, read as UTC (the dashboard's zone) → ISO, or '' when empty. */
export function utcInputToIso(value) {
  if (!value) return '';
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** ISO → a datetime-local input's value in UTC. */
export function isoToUtcInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toISOString().slice(0, 16);
}
