/**
 * Events received per minute over 24 hours, drawn by uPlot (loaded as /admin/assets/vendor/uplot.js).
 * The canvas is described in words for screen readers; the numbers are also on the page as text.
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
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: '#5b6270', grid: { stroke: '#eceef2' }, ticks: { stroke: '#d5d9e0' } },
          { stroke: '#5b6270', grid: { stroke: '#eceef2' }, ticks: { stroke: '#d5d9e0' }, size: 44 },
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
  return html`<div class="chart" ref=${container} role="img" aria-label=${label}></div>`;
}
