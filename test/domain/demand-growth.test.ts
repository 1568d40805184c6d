import { describe, expect, it } from 'vitest';
import { demandBaselines, demandOutgrew } from '../../src/domain/demand-growth.js';
import { planIteration } from '../../src/domain/iteration-planner.js';
import type { InstanceFact, IterationInput, WorkerTypeFacts } from '../../src/domain/plan-types.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { definition, instanceType } from './definition-fixture.js';

const NOW = Date.UTC(2024, 0, 5, 12);

function facts(
  overrides: Partial<WorkerTypeFacts>,
  shape: Partial<WorkerTypeDefinition> = {},
): WorkerTypeFacts {
  const base = definition({ instanceTypes: [instanceType('c5.xlarge')], maxCapacity: 20, ...shape });
  return {
    workerType: 'alpha',
    definition: { ...base, workerType: 'alpha', lastModified: '2024-01-01T00:00:00.000Z' },
    pendingTasks: 0,
    instances: [],
    spotRequests: [],
    launches: [],
    ...overrides,
  };
}

function running(count: number): InstanceFact[] {
  return Array.from({ length: count }, (_, i) => ({
    instanceId: `i-${i}`,
    region: 'us-west-2',
    zone: 'us-west-2a',
    instanceType: 'c5.xlarge',
    market: 'spot',
    state: 'running',
    launchTime: NOW - 3_600_000,
    hourlyPrice: 0.1,
    checkedIn: true,
  }));
}

function plan(workerType: WorkerTypeFacts, overrides: Partial<IterationInput> = {}) {
  return planIteration({
    now: NOW,
    provisionerId: 'aws-provisioner-v1',
    strategy: 'default',
    observedAt: NOW,
    maxObservationAgeMs: 300_000,
    unavailableRegions: [],
    prices: [
      {
        region: 'us-west-2',
        zone: 'us-west-2a',
        instanceType: 'c5.xlarge',
        spotPrice: 0.1,
        recentMaxSpotPrice: 0.1,
        onDemandPrice: 0.2,
      },
    ],
    capacityFailures: [],
    workerTypes: [workerType],
    ...overrides,
  });
}

describe('demandOutgrew, after the plan the baseline comes from', () => {
  const cases: {
    name: string;
    facts: WorkerTypeFacts;
    input?: Partial<IterationInput>;
    /** Pending tasks read between iterations → whether the next iteration should start early. */
    checks: [number, boolean][];
  }[] = [
    {
      name: 'launches covered the demand: only more tasks trigger',
      facts: facts({ pendingTasks: 3 }),
      checks: [
        [2, false],
        [3, false],
        [4, true],
      ],
    },
    {
      name: 'the scaling ratio tolerates pending tasks up to its share of running capacity',
      facts: facts({ pendingTasks: 0, instances: running(10) }, { scalingRatio: 0.2 }),
      checks: [
        [2, false],
        [3, true],
      ],
    },
    {
      name: 'at maxCapacity more demand cannot add capacity',
      facts: facts({ pendingTasks: 2, instances: running(3) }, { maxCapacity: 5 }),
      checks: [[50, false]],
    },
    {
      name: 'minCapacity kept pending capacity for no task: it covers new ones',
      facts: facts({ pendingTasks: 0 }, { minCapacity: 2 }),
      checks: [
        [2, false],
        [3, true],
      ],
    },
    {
      name: 'capacity scaled down no longer covers anything',
      facts: facts({
        pendingTasks: 0,
        spotRequests: [
          {
            spotRequestId: 'sir-1',
            region: 'us-west-2',
            instanceType: 'c5.xlarge',
            state: 'open',
            statusCode: 'pending-evaluation',
            createTime: NOW - 60_000,
          },
        ],
      }),
      checks: [[1, true]],
    },
  ];

  it.each(cases)('$name', ({ facts: given, input, checks }) => {
    const [baseline, ...others] = demandBaselines(plan(given, input));
    expect(others).toEqual([]);
    if (!baseline) throw new Error('no baseline');
    for (const [pendingTasks, expected] of checks) {
      expect([pendingTasks, demandOutgrew(baseline, pendingTasks)]).toEqual([pendingTasks, expected]);
    }
  });
});

describe('demandBaselines', () => {
  const excluded: { name: string; facts: WorkerTypeFacts; input?: Partial<IterationInput> }[] = [
    { name: 'demand unknown', facts: facts({ pendingTasks: { error: 'queue down' } }) },
    { name: 'not defined (rogue)', facts: { ...facts({}), definition: undefined } },
    {
      name: 'the money cap limited scale-up',
      facts: facts({ pendingTasks: 5 }),
      input: { maxHourlySpend: 0.25 },
    },
    {
      name: 'a stale observation blocked scale-up',
      facts: facts({ pendingTasks: 5 }),
      input: { observedAt: NOW - 3_600_000 },
    },
    { name: 'no offer within maxPrice', facts: facts({ pendingTasks: 5 }, { maxPrice: 0.01 }) },
  ];

  it.each(excluded)('leaves out a worker type when $name: an early iteration could not do better', (c) => {
    expect(demandBaselines(plan(c.facts, c.input))).toEqual([]);
  });

  it('counts planned launches as pending capacity', () => {
    const [baseline] = demandBaselines(plan(facts({ pendingTasks: 3, instances: running(1) })));
    expect(baseline).toEqual({
      workerType: 'alpha',
      pendingTasks: 3,
      running: 1,
      pending: 3,
      scalingRatio: 0,
      minCapacity: 0,
      maxCapacity: 20,
    });
  });
});
