/** A hand-written SVG chart of demand (pending + running tasks) against capacity (live instances) over time. */
import type { TimelinePoint } from './replay-run.js';

export interface PlotSeries {
  title: string;
  points: readonly TimelinePoint[];
}

const WIDTH = 1100;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 60, right: 20, top: 30, bottom: 40 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A value at a time, in hours from the start. */
export interface TimedValue {
  hours: number;
  value: number;
}

/**
 * Keeps at most `limit` points, one per equal slice of time (`hours` in all), each slice's maximum so short
 * peaks stay visible. Iterations are not evenly spaced (early ones start between intervals), so slicing by
 * index would skew the time axis.
 */
export function downsample(points: readonly TimedValue[], hours: number, limit: number): TimedValue[] {
  if (points.length <= limit) return [...points];
  const slices = new Map<number, TimedValue>();
  for (const point of points) {
    const slice = Math.min(limit - 1, Math.floor((point.hours / Math.max(hours, 1e-9)) * limit));
    const kept = slices.get(slice);
    if (!kept || point.value > kept.value) slices.set(slice, point);
  }
  return [...slices.entries()].sort(([a], [b]) => a - b).map(([, point]) => point);
}

function path(points: readonly TimedValue[], x: (hours: number) => number, y: (v: number) => number): string {
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.hours).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join('');
}

function panel(series: PlotSeries, top: number, yMax: number): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const hours = series.points[series.points.length - 1]?.hours ?? 1;
  const limit = 1000;
  const demand = downsample(
    series.points.map((p) => ({ hours: p.hours, value: p.pendingTasks + p.runningTasks })),
    hours,
    limit,
  );
  const capacity = downsample(
    series.points.map((p) => ({ hours: p.hours, value: p.runningInstances + p.pendingInstances })),
    hours,
    limit,
  );
  const x = (h: number) => MARGIN.left + (h / Math.max(hours, 1e-9)) * plotWidth;
  const y = (v: number) => top + MARGIN.top + plotHeight - (v / yMax) * plotHeight;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * yMax));
  const hourTicks = Array.from({ length: 6 }, (_, i) => (i / 5) * hours);
  return [
    `<text x="${MARGIN.left}" y="${top + 20}" font-weight="bold">${escapeXml(series.title)}</text>`,
    ...ticks.map(
      (t) =>
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>` +
        `<text x="${MARGIN.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`,
    ),
    ...hourTicks.map(
      (h) =>
        `<text x="${x(h)}" y="${top + PANEL_HEIGHT - 15}" text-anchor="middle">${h.toFixed(hours < 20 ? 1 : 0)} h</text>`,
    ),
    `<path d="${path(demand, x, y)}" fill="none" stroke="#d62728" stroke-width="1"/>`,
    `<path d="${path(capacity, x, y)}" fill="none" stroke="#1f77b4" stroke-width="1"/>`,
  ].join('\n');
}

/** One panel per strategy, on the same vertical scale. */
export function demandPlot(title: string, series: readonly PlotSeries[]): string {
  let yMax = 1;
  for (const s of series) {
    for (const p of s.points)
      yMax = Math.max(yMax, p.pendingTasks + p.runningTasks, p.runningInstances + p.pendingInstances);
  }
  const height = 40 + series.length * PANEL_HEIGHT;
  const legend =
    `<text x="${WIDTH - 460}" y="24"><tspan fill="#d62728">━ demand (pending + running tasks)</tspan>` +
    `<tspan dx="12" fill="#1f77b4">━ capacity (live instances)</tspan></text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="${MARGIN.left}" y="24" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    legend,
    ...series.map((s, i) => panel(s, 40 + i * PANEL_HEIGHT, yMax)),
    '</svg>',
  ].join('\n');
}
