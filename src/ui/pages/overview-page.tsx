import { useMemo, useState } from 'preact/hooks';
import { call } from '../api/client.js';
import type { Overview, OverviewRow } from '../api/types.js';
import { type Column, DataTable } from '../components/data-table.js';
import { LoopHealthPanel } from '../components/loop-health.js';
import { usePolling } from '../hooks/use-polling.js';
import { formatMoney, formatNumber, formatShare } from '../lib/format.js';
import { type Show, type Sort, type SortKey, totals, visibleRows } from '../lib/overview-rows.js';
import { href } from '../lib/router.js';

export const OVERVIEW_REFRESH_MS = 5000;

/** Running, pending and requested capacity as segments of a bar whose full width is the maximum. */
function CapacityBar({ row }: { row: OverviewRow }) {
  const max = Math.max(row.maxCapacity ?? 0, 1);
  const width = (value: number | null) => `${Math.min(100, ((value ?? 0) / max) * 100)}%`;
  return (
    <span class="capacity-bar" aria-hidden="true">
      <span class="running" style={{ width: width(row.runningCapacity) }} />
      <span class="pending" style={{ width: width(row.pendingCapacity) }} />
      <span class="requested" style={{ width: width(row.requestedCapacity) }} />
    </span>
  );
}

const COLUMNS: Column<OverviewRow>[] = [
  {
    id: 'workerType',
    header: 'Worker type',
    sortable: true,
    cell: (row) => (
      <a href={href({ page: 'worker-type', name: row.workerType })}>
        {row.workerType}
        {!row.defined && <span class="badge">removing</span>}
      </a>
    ),
  },
  {
    id: 'pendingTasks',
    width: '8.5rem',
    header: 'Pending tasks',
    numeric: true,
    sortable: true,
    cell: (r) => formatNumber(r.pendingTasks),
  },
  {
    id: 'runningCapacity',
    width: '6rem',
    header: 'Running',
    numeric: true,
    sortable: true,
    cell: (r) => formatNumber(r.runningCapacity, 1),
  },
  {
    id: 'pendingCapacity',
    width: '6rem',
    header: 'Pending',
    numeric: true,
    sortable: true,
    cell: (r) => formatNumber(r.pendingCapacity, 1),
  },
  {
    id: 'requestedCapacity',
    width: '7rem',
    header: 'Requested',
    numeric: true,
    sortable: true,
    cell: (r) => formatNumber(r.requestedCapacity, 1),
  },
  { id: 'bar', header: 'Of max', width: '6rem', cell: (r) => <CapacityBar row={r} /> },
  {
    id: 'minCapacity',
    width: '4rem',
    header: 'Min',
    numeric: true,
    sortable: true,
    cell: (r) => formatNumber(r.minCapacity),
  },
  {
    id: 'maxCapacity',
    width: '4.5rem',
    header: 'Max',
    numeric: true,
    sortable: true,
    cell: (r) => formatNumber(r.maxCapacity),
  },
  {
    id: 'spendPerHour',
    width: '6.5rem',
    header: 'Spend / h',
    numeric: true,
    sortable: true,
    cell: (r) => formatMoney(r.spendPerHour),
  },
  {
    id: 'spotShare',
    header: 'Spot',
    width: '5rem',
    numeric: true,
    sortable: true,
    cell: (r) => formatShare(r.spotShare),
  },
  {
    id: 'blocked',
    header: 'Blocked',
    sortable: true,
    cell: (r) =>
      r.blocked ? (
        <span class="blocked" title={r.blocked}>
          {r.blocked}
        </span>
      ) : (
        ''
      ),
  },
];

const SHOW_LABELS: Record<Show, string> = {
  all: 'All worker types',
  pending: 'With pending tasks',
  blocked: 'Blocked by a guard rail',
  failing: 'With launch failures',
};

interface FiltersProps {
  text: string;
  show: Show;
  onText: (text: string) => void;
  onShow: (show: Show) => void;
  shown: OverviewRow[];
  total: number | undefined;
}

function Filters({ text, show, onText, onShow, shown, total }: FiltersProps) {
  const sums = totals(shown);
  return (
    <div class="filters">
      <label for="filter-text">Filter by name</label>
      <input
        id="filter-text"
        type="search"
        value={text}
        onInput={(e) => onText(e.currentTarget.value)}
        placeholder="e.g. gecko linux"
      />
      <label for="filter-show">Show</label>
      <select id="filter-show" value={show} onChange={(e) => onShow(e.currentTarget.value as Show)}>
        {(Object.keys(SHOW_LABELS) as Show[]).map((key) => (
          <option key={key} value={key}>
            {SHOW_LABELS[key]}
          </option>
        ))}
      </select>
      <p class="totals">
        {total === undefined ? (
          'Loading…'
        ) : (
          <>
            <span aria-live="polite">{`${sums.workerTypes} of ${total} worker types`}</span>
            {` · ${formatNumber(sums.pendingTasks)} pending tasks · ${formatNumber(sums.runningCapacity, 1)} running, ` +
              `${formatNumber(sums.pendingCapacity, 1)} pending capacity · ${formatMoney(sums.spendPerHour)} per hour · ` +
              `${sums.blocked} blocked`}
          </>
        )}
      </p>
    </div>
  );
}

const nextSort = (current: Sort, id: string): Sort =>
  current.key === id
    ? { key: current.key, descending: !current.descending }
    : { key: id as SortKey, descending: id !== 'workerType' };

export function OverviewPage() {
  const overview = usePolling(() => call<Overview>('adminOverview', []), OVERVIEW_REFRESH_MS, []);
  const [text, setText] = useState('');
  const [show, setShow] = useState<Show>('all');
  const [sort, setSort] = useState<Sort>({ key: 'workerType', descending: false });
  const all = overview.data?.workerTypes;
  const rows = useMemo(() => visibleRows(all ?? [], { text, show }, sort), [all, text, show, sort]);
  return (
    <section aria-labelledby="overview-title">
      <div class="page-head">
        <h1 id="overview-title">Worker types</h1>
        <a class="button primary" href={href({ page: 'create' })}>
          Create worker type
        </a>
      </div>
      {overview.data && <LoopHealthPanel loop={overview.data.loop} now={overview.data.now} />}
      {overview.error && (
        <p class="error" role="alert">
          Could not refresh the overview: {overview.error.message}
        </p>
      )}
      <Filters text={text} show={show} onText={setText} onShow={setShow} shown={rows} total={all?.length} />
      <DataTable
        caption="Worker types: pending tasks; running, pending and requested capacity (units); limits; spend"
        columns={COLUMNS}
        rows={rows}
        rowKey={(row) => row.workerType}
        sort={{ id: sort.key, descending: sort.descending }}
        onSort={(id) => setSort((current) => nextSort(current, id))}
        empty={all === undefined ? 'Loading…' : 'No worker types match.'}
        maxHeight="calc(100vh - 300px)"
        rowClass={(row) => (row.blocked ? 'row-blocked' : undefined)}
      />
    </section>
  );
}
