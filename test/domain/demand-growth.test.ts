import { describe, expect, it } from 'vitest';
import { demandBaselines, demandOutgrew } from '../../src/domain/demand-growth.js';
import type { IterationInput, WorkerTypeFacts } from '../../src/domain/plan-types.js';
import { alphaFacts as facts, NOW, planAlone as plan, runningInstances as running } from './plan-fixture.js';

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
