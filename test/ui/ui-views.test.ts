import { describe, expect, it } from 'vitest';
import type { OverviewRow } from '../../src/ui/api/types.js';
import { formatAge, formatMoney } from '../../src/ui/lib/format.js';
import { totals, visibleRows } from '../../src/ui/lib/overview-rows.js';
import { planOf } from '../../src/ui/lib/plan-view.js';
import { href, parseRoute } from '../../src/ui/lib/router.js';

const row = (workerType: string, figures: Partial<OverviewRow> = {}): OverviewRow => ({
  workerType,
  defined: true,
  minCapacity: 0,
  maxCapacity: 10,
  maxHourlySpend: null,
  lastModified: null,
  snapshotAt: null,
  pendingTasks: null,
  runningCapacity: null,
  pendingCapacity: null,
  requestedCapacity: null,
  spendPerHour: null,
  spotCapacity: null,
  spotShare: null,
  launchFailures: null,
  blocked: null,
  ...figures,
});

describe('the overview rows', () => {
  const rows = [
    row('gecko-linux', { pendingTasks: 5, spendPerHour: 1 }),
    row('gecko-win', { pendingTasks: 0, blocked: 'money cap', spendPerHour: 2 }),
    row('docker-linux', { pendingTasks: 12, launchFailures: 3 }),
    row('idle'),
  ];
  const names = (shown: OverviewRow[]) => shown.map((r) => r.workerType);

  it.each([
    [
      'all by name',
      { text: '', show: 'all' },
      { key: 'workerType', descending: false },
      ['docker-linux', 'gecko-linux', 'gecko-win', 'idle'],
    ],
    [
      'words anywhere in the name',
      { text: 'LINUX gecko', show: 'all' },
      { key: 'workerType', descending: false },
      ['gecko-linux'],
    ],
    [
      'by pending tasks, unknown last',
      { text: '', show: 'all' },
      { key: 'pendingTasks', descending: true },
      ['docker-linux', 'gecko-linux', 'gecko-win', 'idle'],
    ],
    [
      'ascending, unknown still last',
      { text: '', show: 'all' },
      { key: 'pendingTasks', descending: false },
      ['gecko-win', 'gecko-linux', 'docker-linux', 'idle'],
    ],
    ['only blocked', { text: '', show: 'blocked' }, { key: 'workerType', descending: false }, ['gecko-win']],
    [
      'only with pending tasks',
      { text: '', show: 'pending' },
      { key: 'workerType', descending: false },
      ['docker-linux', 'gecko-linux'],
    ],
    [
      'only failing',
      { text: '', show: 'failing' },
      { key: 'workerType', descending: false },
      ['docker-linux'],
    ],
  ] as const)('shows %s', (_case, filter, sort, expected) => {
    expect(names(visibleRows(rows, filter, sort))).toEqual(expected);
  });

  it('adds up what is shown', () => {
    expect(totals(rows)).toMatchObject({ workerTypes: 4, pendingTasks: 17, spendPerHour: 3, blocked: 1 });
  });
});

describe('the plan preview reader', () => {
  const plan = {
    workerType: 'wt',
    change: 2,
    hourlySpend: { now: 0.1, planned: 0.3 },
    launches: [
      { region: 'us-east-1', zone: 'us-east-1a', instanceType: 'c5.large', market: 'spot', price: 0.1 },
    ],
    terminations: [],
    cancellations: [],
    blocked: [{ rail: 'money-cap', effects: ['limits-scale-up'], message: 'cap reached' }],
    record: { change: 2 },
  };

  it.each([
    ['a worker type plan', plan],
    ['an iteration plan', { now: 1, workerTypes: [{ ...plan, workerType: 'other' }, plan] }],
    ['a wrapped plan', { plan: { workerTypes: [plan] } }],
  ])('finds the worker type in %s', (_case, body) => {
    expect(planOf(body, 'wt')).toMatchObject({
      change: 2,
      spend: { now: 0.1, planned: 0.3 },
      blocked: [{ rail: 'money-cap', message: 'cap reached' }],
      record: { change: 2 },
    });
  });

  it('gives up on shapes it does not know, so the raw reply is shown instead', () => {
    expect(planOf({ something: 'else' }, 'wt')).toBeUndefined();
    expect(planOf('text', 'wt')).toBeUndefined();
  });
});

describe('routes and formats', () => {
  it.each([
    ['', { page: 'overview' }],
    ['#/worker-type/gecko-1', { page: 'worker-type', name: 'gecko-1' }],
    ['#/worker-type/gecko-1/edit', { page: 'edit', name: 'gecko-1' }],
    ['#/create?from=gecko-1', { page: 'create', from: 'gecko-1' }],
    ['#/create', { page: 'create' }],
    ['#/worker-type/bad name', { page: 'not-found', hash: '#/worker-type/bad name' }],
  ] as const)('reads %j', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
    if (route.page !== 'not-found') expect(parseRoute(href(route))).toEqual(route);
  });

  it.each([
    [42, '42s'],
    [420, '7m'],
    [3 * 3600 + 300, '3h 5m'],
    [50 * 3600, '2d 2h'],
  ])('shows an age of %ss as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });

  it.each([
    [null, '–'],
    [1.5, '$1.50'],
    [0.0042, '$0.0042'],
  ])('shows %j dollars as %s', (value, text) => {
    expect(formatMoney(value)).toBe(text);
  });
});
