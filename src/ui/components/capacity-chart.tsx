import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';
import type { HistoryPoint } from '../api/types.js';
import { formatNumber, formatTime } from '../lib/format.js';

const SERIES = [
  { label: 'Pending tasks', key: 'pendingTasks', stroke: '#b3261e', dash: [6, 3] },
  { label: 'Running capacity', key: 'runningCapacity', stroke: '#146c2e' },
  { label: 'Pending capacity', key: 'pendingCapacity', stroke: '#0b57d0' },
  { label: 'Requested capacity', key: 'requestedCapacity', stroke: '#7d5700' },
] as const;

const HEIGHT = 260;

function chartData(points: readonly HistoryPoint[]): uPlot.AlignedData {
  return [
    points.map((p) => Date.parse(p.at) / 1000),
    ...SERIES.map((series) => points.map((p) => p[series.key])),
  ] as uPlot.AlignedData;
}

/** uPlot is most of the bundle's weight: only pages with a chart load it. */
async function loadUplot(): Promise<typeof uPlot> {
  const [module] = await Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]);
  return module.default;
}

function options(UPlot: typeof uPlot, width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [{}, { label: 'Capacity units / tasks' }],
    series: [
      { label: 'Time (UTC)' },
      ...SERIES.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 2,
        ...('dash' in s ? { dash: [...s.dash] } : {}),
        value: (_u: uPlot, v: number | null) => formatNumber(v, 1),
      })),
    ],
  };
}

/** Pending tasks and capacity over time, with the latest figures in words for screen readers. */
export function CapacityChart({ points }: { points: readonly HistoryPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  const latestPoints = useRef(points);
  latestPoints.current = points;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let stopped = false;
    const width = () => Math.max(320, element.clientWidth);
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: HEIGHT }));
    void loadUplot().then((UPlot) => {
      if (stopped) return;
      plot.current = new UPlot(options(UPlot, width()), chartData(latestPoints.current), element);
      observer.observe(element);
    });
    return () => {
      stopped = true;
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(chartData(points));
  }, [points]);

  const latest = points[points.length - 1];
  const summary = latest
    ? `${points.length} points until ${formatTime(latest.at)}: ${SERIES.map((s) => `${s.label.toLowerCase()} ${formatNumber(latest[s.key], 1)}`).join(', ')}`
    : 'No snapshots in this window';
  return (
    <figure class="chart">
      <div ref={container} role="img" aria-label={`Capacity and pending tasks chart. ${summary}`} />
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
