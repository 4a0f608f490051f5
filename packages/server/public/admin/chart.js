/**
 * Events received per minute over 24 hours, drawn by uPlot (loaded as /admin/assets/vendor/uplot.js).
 * The canvas is described in words for screen readers; the numbers are also on the page as text.
 * Times are UTC, like every time on the dashboard; the axis titles are HTML beside the canvas, so no
 * canvas edge can clip them, and the y axis is as wide as its longest tick value.
 */
import { html, useEffect, useRef } from './vendor/preact-htm.js';

const MINUTE_S = 60;
const DAY_MINUTES = 24 * 60;

/** One value per minute (zeros filled in), for the 24 hours ending at `nowIso`. */
export function perMinuteSeries(perMinute, nowIso) {
  const end = Math.floor(Date.parse(nowIso) / 1000 / MINUTE_S) * MINUTE_S;
  const start = end - (DAY_MINUTES - 1) * MINUTE_S;
  const byMinute = new Map(perMinute.map((m) => [Date.parse(m.minute) / 1000, m.count]));
  const xs = [];
  const ys = [];
  for (let t = start; t <= end; t += MINUTE_S) {
    xs.push(t);
    ys.push(byMinute.get(t) ?? 0);
  }
  return [xs, ys];
}

/** `14:00`, with the date under the first tick and under midnight: the dashboard's UTC format, split. */
export function utcTickLabels(ticks) {
  return ticks.map((t, i) => {
    const iso = new Date(t * 1000).toISOString();
    const time = iso.slice(11, 16);
    return i === 0 || time === '00:00' ? `${time}\n${iso.slice(0, 10)}` : time;
  });
}

/** Pixels for the y axis: its longest tick value (≈ 7 px a character at 12 px) plus the tick and a gap. */
function yAxisSize(_u, values) {
  const longest = Math.max(1, ...(values ?? []).map((value) => String(value).length));
  return Math.ceil(longest * 7.5) + 22;
}

export function PerMinuteChart({ perMinute, nowIso, label }) {
  const container = useRef(null);
  useEffect(() => {
    const element = container.current;
    const uPlot = window.uPlot;
    if (!element || !uPlot) return;
    const data = perMinuteSeries(perMinute, nowIso);
    const width = () => Math.max(240, element.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: 170,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false } },
        // Room above the top tick, whose value is drawn centred on it.
        padding: [14, 12, 0, 0],
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          {
            stroke: '#5b6270',
            grid: { stroke: '#eceef2' },
            ticks: { stroke: '#d5d9e0' },
            values: (_u, ticks) => utcTickLabels(ticks),
            size: 46,
          },
          { stroke: '#5b6270', grid: { stroke: '#eceef2' }, ticks: { stroke: '#d5d9e0' }, size: yAxisSize },
        ],
        series: [
          {},
          {
            label: 'events',
            stroke: '#3b3fd8',
            fill: 'rgba(59, 63, 216, 0.18)',
            width: 1,
            points: { show: false },
            paths: uPlot.paths.stepped({ align: 1 }),
          },
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: 170 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [perMinute, nowIso]);
  return html`<figure class="chart-figure">
    <span class="chart-axis-title chart-y-title" data-testid="chart-y-title">events / minute</span>
    <div class="chart" ref=${container} role="img" aria-label=${label}></div>
    <span class="chart-axis-title chart-x-title" data-testid="chart-x-title">time (UTC)</span>
  </figure>`;
}
