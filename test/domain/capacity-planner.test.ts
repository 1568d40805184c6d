import { describe, expect, it } from 'vitest';
import {
  type CapacityChangeInput,
  capacityChange,
  type SummarisedResource,
  summariseCapacity,
} from '../../src/domain/capacity-planner.js';
import { definition, instanceType } from './definition-fixture.js';

describe('capacityChange (§D.3)', () => {
  const base = { scalingRatio: 0, minCapacity: 0, maxCapacity: 20 };
  const cases: [string, Omit<CapacityChangeInput, keyof typeof base> & Partial<typeof base>, number][] = [
    // The examples of §D.3, from the original unit tests.
    ['(R,P,T)=(0,0,5)', { running: 0, pending: 0, pendingTasks: 5 }, 5],
    ['(R,P,T)=(5,0,5)', { running: 5, pending: 0, pendingTasks: 5 }, 5],
    ['(R,P,T)=(0,5,5)', { running: 0, pending: 5, pendingTasks: 5 }, 0],
    ['(R,P,T)=(0,10,5)', { running: 0, pending: 10, pendingTasks: 5 }, -5],
    ['min 1 with (0,0,0)', { running: 0, pending: 0, pendingTasks: 0, minCapacity: 1 }, 1],
    ['max 20 with (0,0,30)', { running: 0, pending: 0, pendingTasks: 30 }, 20],
    [
      's=0.2, max 1000, (0,40,10000)',
      { running: 0, pending: 40, pendingTasks: 10000, scalingRatio: 0.2, maxCapacity: 1000 },
      960,
    ],
    // Math.round: halves round toward +∞, also for negative ratios.
    ['s=0.5, R=5: round(2.5)=3', { running: 5, pending: 0, pendingTasks: 10, scalingRatio: 0.5 }, 7],
    ['s=-0.5, R=5: round(-2.5)=-2', { running: 5, pending: 0, pendingTasks: 0, scalingRatio: -0.5 }, 2],
    ['s=0.3, R=5: round(1.5)=2', { running: 5, pending: 1, pendingTasks: 4, scalingRatio: 0.3 }, 1],
    ['s=0.2, R=7: round(1.4)=1', { running: 7, pending: 0, pendingTasks: 4, scalingRatio: 0.2 }, 3],
    // Bounds.
    ['exactly at max (>=)', { running: 10, pending: 0, pendingTasks: 10 }, 10],
    ['over max with nothing pending scales down', { running: 25, pending: 0, pendingTasks: 0 }, -5],
    ['over max with pending work still scales down', { running: 18, pending: 4, pendingTasks: 50 }, -2],
    ['min tops up pending capacity', { running: 0, pending: 2, pendingTasks: 0, minCapacity: 5 }, 3],
    ['at min nothing changes', { running: 5, pending: 0, pendingTasks: 0, minCapacity: 5 }, 0],
    [
      'max < min: max wins when triggered',
      { running: 0, pending: 0, pendingTasks: 7, minCapacity: 10, maxCapacity: 5 },
      5,
    ],
    [
      'max < min: min otherwise',
      { running: 0, pending: 0, pendingTasks: 0, minCapacity: 10, maxCapacity: 5 },
      10,
    ],
    ['surplus of pending capacity', { running: 2, pending: 6, pendingTasks: 1 }, -5],
    ['fractional capacities', { running: 1.5, pending: 0.5, pendingTasks: 3 }, 2.5],
  ];

  it.each(cases)('%s → %d', (_name, values, expected) => {
    expect(capacityChange({ ...base, ...values })).toBe(expected);
  });
});

describe('summariseCapacity (§B.1)', () => {
  const types = definition({
    instanceTypes: [
      instanceType('c5.xlarge'),
      instanceType('c5.2xlarge', { capacity: 2 }),
      instanceType('t3.small', { capacity: 0.5 }),
    ],
  });
  const resource = (kind: SummarisedResource['kind'], state: SummarisedResource['state'], type: string) => ({
    kind,
    state,
    instanceType: type,
  });
  const cases: [string, SummarisedResource[], [number, number, number]][] = [
    ['nothing', [], [0, 0, 0]],
    [
      'running instances by capacity',
      [resource('instance', 'running', 'c5.2xlarge'), resource('instance', 'running', 'c5.xlarge')],
      [3, 0, 0],
    ],
    [
      'pending and recorded-but-unseen instances are pending',
      [resource('instance', 'pending', 'c5.2xlarge'), resource('instance', 'requested', 'c5.xlarge')],
      [0, 3, 0],
    ],
    [
      'spot requests are requested',
      [resource('spot-request', 'requested', 'c5.2xlarge'), resource('spot-request', 'pending', 'c5.xlarge')],
      [0, 0, 3],
    ],
    [
      'an instance type no longer listed counts 1',
      [resource('instance', 'running', 'm4.large'), resource('spot-request', 'requested', 'm4.large')],
      [1, 0, 1],
    ],
    [
      'fractional capacities',
      [resource('instance', 'running', 't3.small'), resource('instance', 'pending', 't3.small')],
      [0.5, 0.5, 0],
    ],
  ];

  it.each(cases)('%s', (_name, resources, [running, pending, requested]) => {
    expect(summariseCapacity(types, resources)).toEqual({
      runningCapacity: running,
      pendingCapacity: pending,
      requestedCapacity: requested,
    });
  });
});
