import { describe, expect, it } from 'vitest';
import { type KeepReason, planScaleDown, type ScaleDownResource } from '../../src/domain/scale-down.js';

function request(id: string, launchedAt: number, capacity = 1): ScaleDownResource {
  return { id, kind: 'spot-request', state: 'requested', capacity, launchedAt };
}

function instance(
  id: string,
  state: ScaleDownResource['state'],
  launchedAt: number,
  capacity = 1,
  busy?: boolean,
): ScaleDownResource {
  return { id, kind: 'instance', state, capacity, launchedAt, ...(busy === undefined ? {} : { busy }) };
}

function terminating(resource: ScaleDownResource): ScaleDownResource {
  return { ...resource, terminating: true };
}

interface Case {
  name: string;
  resources: ScaleDownResource[];
  change: number;
  minCapacity?: number;
  observationLagMs?: number;
  remove: string[];
  keep: Record<string, KeepReason>;
  remainingSurplus: number;
}

const cases: Case[] = [
  {
    name: 'a positive change removes nothing',
    resources: [request('sr-1', 1), instance('i-1', 'pending', 2)],
    change: 3,
    remove: [],
    keep: { 'sr-1': 'no-surplus-left', 'i-1': 'no-surplus-left' },
    remainingSurplus: 0,
  },
  {
    name: 'open spot requests go first, newest first',
    resources: [request('sr-old', 1), instance('i-new', 'pending', 9), request('sr-new', 2)],
    change: -2,
    remove: ['sr-new', 'sr-old'],
    keep: { 'i-new': 'no-surplus-left' },
    remainingSurplus: 0,
  },
  {
    name: 'then not-yet-running instances, newest first (recorded launches included)',
    resources: [
      instance('i-old', 'pending', 1),
      request('sr-1', 0),
      instance('i-new', 'pending', 5),
      instance('i-recorded', 'requested', 7),
    ],
    change: -3,
    remove: ['sr-1', 'i-recorded', 'i-new'],
    keep: { 'i-old': 'no-surplus-left' },
    remainingSurplus: 0,
  },
  {
    name: 'running instances are never touched, busy or idle; unknown counts as busy',
    resources: [
      instance('i-busy', 'running', 1, 1, true),
      instance('i-idle', 'running', 2, 1, false),
      instance('i-unknown', 'running', 3),
      instance('i-pending', 'pending', 4),
    ],
    change: -3,
    remove: ['i-pending'],
    keep: { 'i-busy': 'busy', 'i-idle': 'running-idle', 'i-unknown': 'busy' },
    remainingSurplus: 2,
  },
  {
    name: 'a not-yet-running resource known to be busy is kept',
    resources: [instance('i-odd', 'pending', 5, 1, true), instance('i-2', 'pending', 1)],
    change: -2,
    remove: ['i-2'],
    keep: { 'i-odd': 'busy' },
    remainingSurplus: 1,
  },
  {
    name: 'never below minCapacity (running capacity counts)',
    resources: [
      instance('i-run', 'running', 0, 2),
      instance('i-a', 'pending', 1),
      instance('i-b', 'pending', 2),
    ],
    change: -2,
    minCapacity: 3,
    remove: ['i-b'],
    keep: { 'i-run': 'busy', 'i-a': 'min-capacity' },
    remainingSurplus: 1,
  },
  {
    name: 'exactly down to minCapacity',
    resources: [
      instance('i-run', 'running', 0, 2),
      instance('i-a', 'pending', 1),
      instance('i-b', 'pending', 2),
    ],
    change: -2,
    minCapacity: 2,
    remove: ['i-b', 'i-a'],
    keep: { 'i-run': 'busy' },
    remainingSurplus: 0,
  },
  {
    name: 'minCapacity above everything there is removes nothing',
    resources: [request('sr-1', 1), instance('i-1', 'pending', 2)],
    change: -2,
    minCapacity: 5,
    remove: [],
    keep: { 'sr-1': 'min-capacity', 'i-1': 'min-capacity' },
    remainingSurplus: 2,
  },
  {
    name: 'a resource larger than the surplus is skipped, a smaller older one is taken',
    resources: [instance('i-big', 'pending', 9, 4), instance('i-small', 'pending', 1, 1)],
    change: -1,
    remove: ['i-small'],
    keep: { 'i-big': 'exceeds-surplus' },
    remainingSurplus: 0,
  },
  {
    name: 'fractional capacities that add up to the surplus despite rounding (0.1 + 0.2 = 0.3)',
    resources: [request('sr-a', 2, 0.1), request('sr-b', 1, 0.2), instance('i-1', 'pending', 0, 0.1)],
    change: -0.3,
    remove: ['sr-a', 'sr-b'],
    keep: { 'i-1': 'no-surplus-left' },
    remainingSurplus: 0,
  },
  {
    name: 'fractional capacities never overshoot the surplus',
    resources: [instance('i-a', 'pending', 2, 0.5), instance('i-b', 'pending', 1, 0.5)],
    change: -0.75,
    remove: ['i-a'],
    keep: { 'i-b': 'exceeds-surplus' },
    remainingSurplus: 0.25,
  },
  {
    name: 'fractional minCapacity',
    resources: [
      instance('i-a', 'pending', 3, 0.5),
      instance('i-b', 'pending', 2, 0.5),
      instance('i-c', 'pending', 1, 0.5),
    ],
    change: -1.5,
    minCapacity: 0.7,
    remove: ['i-a'],
    keep: { 'i-b': 'min-capacity', 'i-c': 'min-capacity' },
    remainingSurplus: 1,
  },
  {
    // EC2 lags: it still describes live what it accepted to terminate. Picking another would remove twice.
    name: 'not-yet-running instances already being terminated go first',
    resources: [
      request('sr-1', 9),
      instance('i-new', 'pending', 8),
      terminating(instance('i-old', 'pending', 1)),
      terminating(instance('i-requested', 'requested', 2)),
    ],
    change: -3,
    remove: ['i-requested', 'i-old', 'sr-1'],
    keep: { 'i-new': 'no-surplus-left' },
    remainingSurplus: 0,
  },
  {
    // Our termination call may have failed: it may be running tasks now.
    name: 'a running instance stays protected though we asked to terminate it',
    resources: [terminating(instance('i-running', 'running', 1)), instance('i-pending', 'pending', 2)],
    change: -1,
    remove: ['i-pending'],
    keep: { 'i-running': 'busy' },
    remainingSurplus: 0,
  },
  {
    // Kept, it would go anyway (EC2 lags) and the request would go too: 3 units for a surplus of 1.
    name: 'an instance being terminated goes again even when larger than the surplus',
    resources: [terminating(instance('i-big', 'pending', 1, 2)), request('sr-1', 9)],
    change: -1,
    remove: ['i-big'],
    keep: { 'sr-1': 'no-surplus-left' },
    remainingSurplus: 0,
  },
  {
    name: 'an instance being terminated still counts toward minCapacity until EC2 shows it gone',
    resources: [terminating(instance('i-1', 'pending', 1)), instance('i-2', 'pending', 2)],
    change: -2,
    minCapacity: 1,
    remove: ['i-1'],
    keep: { 'i-2': 'min-capacity' },
    remainingSurplus: 1,
  },
  {
    // Workers check in before claiming, and check-ins are read after demand: its tasks may be gone from it.
    name: 'a not-yet-running instance whose worker checked in stays',
    resources: [
      { ...instance('i-checked-in', 'pending', 9), checkedIn: true },
      instance('i-old', 'pending', 1),
    ],
    change: -2,
    remove: ['i-old'],
    keep: { 'i-checked-in': 'checked-in' },
    remainingSurplus: 1,
  },
  {
    name: 'described pending long before demand was read: instances stay; requests and re-terminations go',
    resources: [
      instance('i-pending', 'pending', 9),
      request('sr-1', 8),
      terminating(instance('i-going', 'pending', 1)),
      instance('i-recorded', 'requested', 7),
    ],
    change: -4,
    observationLagMs: 30_001,
    remove: ['i-going', 'sr-1', 'i-recorded'],
    keep: { 'i-pending': 'may-have-started' },
    remainingSurplus: 1,
  },
  {
    name: 'a lag within the bound changes nothing',
    resources: [instance('i-pending', 'pending', 9)],
    change: -1,
    observationLagMs: 30_000,
    remove: ['i-pending'],
    keep: {},
    remainingSurplus: 0,
  },
  {
    name: 'equal launch times are ordered by id',
    resources: [request('sr-b', 1), request('sr-a', 1), request('sr-c', 1)],
    change: -2,
    remove: ['sr-a', 'sr-b'],
    keep: { 'sr-c': 'no-surplus-left' },
    remainingSurplus: 0,
  },
];

describe('planScaleDown', () => {
  it.each(cases)(
    '$name',
    ({ resources, change, minCapacity = 0, observationLagMs, remove, keep, remainingSurplus }) => {
      const lag = observationLagMs === undefined ? {} : { observationLagMs };
      const plan = planScaleDown({ resources, change, minCapacity, ...lag });
      expect(plan.remove.map((r) => r.id)).toEqual(remove);
      expect(Object.fromEntries(plan.keep.map((k) => [k.id, k.reason]))).toEqual(keep);
      expect(plan.keep.length + plan.remove.length).toBe(resources.length);
      expect(plan.remainingSurplus).toBeCloseTo(remainingSurplus, 9);
      const removed = plan.remove.reduce((sum, r) => sum + r.capacity, 0);
      expect(plan.removedCapacity).toBeCloseTo(removed, 9);
      expect(plan.surplus).toBe(Math.max(0, -change));
    },
  );

  it('says what to do with each removal and why', () => {
    const plan = planScaleDown({
      resources: [request('sr-1', 2, 2), instance('i-1', 'pending', 1, 0.5)],
      change: -3,
      minCapacity: 0,
    });
    expect(plan.remove).toEqual([
      { id: 'sr-1', kind: 'spot-request', action: 'cancel', capacity: 2, reason: 'surplus-spot-request' },
      { id: 'i-1', kind: 'instance', action: 'terminate', capacity: 0.5, reason: 'surplus-pending-instance' },
    ]);
    expect(plan.keep).toEqual([]);
    expect(plan.removedCapacity).toBe(2.5);
    const again = planScaleDown({
      resources: [terminating(instance('i-2', 'pending', 1))],
      change: -1,
      minCapacity: 0,
    });
    expect(again.remove).toEqual([
      { id: 'i-2', kind: 'instance', action: 'terminate', capacity: 1, reason: 'already-terminating' },
    ]);
    expect(plan.remainingSurplus).toBe(0.5);
  });

  it('keeps the input order in the keep list', () => {
    const resources = [
      instance('i-c', 'running', 3),
      instance('i-a', 'running', 1),
      instance('i-b', 'running', 2),
    ];
    const plan = planScaleDown({ resources, change: -1, minCapacity: 0 });
    expect(plan.keep.map((k) => k.id)).toEqual(['i-c', 'i-a', 'i-b']);
  });
});
