import { useState } from 'preact/hooks';
import { call } from '../api/client.js';
import type { History } from '../api/types.js';
import { usePolling } from '../hooks/use-polling.js';
import { CapacityChart } from './capacity-chart.js';

const WINDOWS = [
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
] as const;

const POINTS = 300;
const REFRESH_MS = 10_000;

/** Capacity and pending tasks over a selectable window, aggregated by the server for long windows. */
export function HistoryPanel({ name }: { name: string }) {
  const [span, setSpan] = useState<string>('1h');
  const history = usePolling(
    () => call<History>('adminWorkerTypeHistory', [name, { window: span, points: String(POINTS) }]),
    REFRESH_MS,
    [name, span],
  );
  return (
    <section aria-labelledby="history-title" class="history">
      <div class="section-head">
        <h2 id="history-title">Capacity and pending tasks</h2>
        <label for="history-window">Window</label>
        <select id="history-window" value={span} onChange={(e) => setSpan(e.currentTarget.value)}>
          {WINDOWS.map((w) => (
            <option key={w.value} value={w.value}>
              {w.label}
            </option>
          ))}
        </select>
      </div>
      {history.error && (
        <p class="error" role="alert">
          Could not load the history: {history.error.message}
        </p>
      )}
      <CapacityChart points={history.data?.points ?? []} />
    </section>
  );
}
