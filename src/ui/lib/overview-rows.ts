import type { OverviewRow } from '../api/types.js';

export type SortKey =
  | 'workerType'
  | 'pendingTasks'
  | 'runningCapacity'
  | 'pendingCapacity'
  | 'requestedCapacity'
  | 'minCapacity'
  | 'maxCapacity'
  | 'spendPerHour'
  | 'spotShare'
  | 'blocked';

export interface Sort {
  key: SortKey;
  descending: boolean;
}

export type Show = 'all' | 'pending' | 'blocked' | 'failing';

export interface RowFilter {
  /** Words that must all appear in the worker type's name (case-insensitive). */
  text: string;
  show: Show;
}

const SHOWN: Readonly<Record<Show, (row: OverviewRow) => boolean>> = {
  all: () => true,
  pending: (row) => (row.pendingTasks ?? 0) > 0,
  blocked: (row) => row.blocked !== null,
  failing: (row) => (row.launchFailures ?? 0) > 0,
};

/** The rows to show, filtered then sorted; unmeasured values sort last whichever the direction. */
export function visibleRows(rows: readonly OverviewRow[], filter: RowFilter, sort: Sort): OverviewRow[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = rows.filter(
    (row) => SHOWN[filter.show](row) && words.every((word) => row.workerType.toLowerCase().includes(word)),
  );
  const direction = sort.descending ? -1 : 1;
  return shown.sort((a, b) => {
    const x = a[sort.key];
    const y = b[sort.key];
    if (x === y) return a.workerType.localeCompare(b.workerType);
    if (x === null) return 1;
    if (y === null) return -1;
    const order = typeof x === 'string' ? x.localeCompare(String(y)) : (x as number) - (y as number);
    return order * direction || a.workerType.localeCompare(b.workerType);
  });
}

/** Sums over the rows shown, for the overview's totals line. */
export function totals(rows: readonly OverviewRow[]) {
  const sum = (key: 'pendingTasks' | 'runningCapacity' | 'pendingCapacity' | 'spendPerHour') =>
    rows.reduce((total, row) => total + (row[key] ?? 0), 0);
  return {
    workerTypes: rows.length,
    pendingTasks: sum('pendingTasks'),
    runningCapacity: sum('runningCapacity'),
    pendingCapacity: sum('pendingCapacity'),
    spendPerHour: sum('spendPerHour'),
    blocked: rows.filter((row) => row.blocked !== null).length,
  };
}
