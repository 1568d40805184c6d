import { describe, expect, it } from 'vitest';
import { planIteration } from '../../src/domain/iteration-planner.js';
import type { PriceObservation } from '../../src/domain/offers.js';
import type {
  InstanceFact,
  IterationInput,
  IterationPlan,
  WorkerTypeFacts,
  WorkerTypePlan,
} from '../../src/domain/plan-types.js';
import type { WorkerType, WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { definition, instanceType, region } from './definition-fixture.js';

const MIN = 60_000;
const NOW = Date.UTC(2024, 0, 5, 12);

const prices: PriceObservation[] = ['us-west-2', 'us-east-1'].map((name) => ({
  region: name,
  zone: `${name}a`,
  instanceType: 'c5.xlarge',
  spotPrice: 0.1,
  recentMaxSpotPrice: 0.1,
  onDemandPrice: 0.2,
}));

function workerType(name: string, overrides: Partial<WorkerTypeDefinition> = {}): WorkerType {
  const base = definition({ instanceTypes: [instanceType('c5.xlarge')], ...overrides });
  return { ...base, workerType: name, lastModified: '2024-01-01T00:00:00.000Z' };
}

function facts(name: string, overrides: Partial<WorkerTypeFacts> = {}): WorkerTypeFacts {
  return {
    workerType: name,
    definition: workerType(name),
    pendingTasks: 0,
    instances: [],
    spotRequests: [],
    launches: [],
    ...overrides,
  };
}

function running(id: string, regionName = 'us-west-2'): InstanceFact {
  return {
    instanceId: id,
    region: regionName,
    zone: `${regionName}a`,
    instanceType: 'c5.xlarge',
    market: 'spot',
    state: 'running',
    launchTime: NOW - 60 * MIN,
    hourlyPrice: 0.1,
    checkedIn: true,
  };
}

const inFlight = {
  region: 'us-west-2',
  zone: 'us-west-2a',
  instanceType: 'c5.xlarge',
  market: 'spot' as const,
  capacity: 1,
  hourlyPrice: 0.1,
  createdAt: NOW - MIN,
};

function input(workerTypes: WorkerTypeFacts[], overrides: Partial<IterationInput> = {}): IterationInput {
  return {
    now: NOW,
    provisionerId: 'aws-provisioner-v1',
    strategy: 'default',
    observedAt: NOW - MIN,
    maxObservationAgeMs: 5 * MIN,
    unavailableRegions: [],
    prices,
    capacityFailures: [],
    workerTypes,
    ...overrides,
  };
}

function byName(plan: IterationPlan): Record<string, WorkerTypePlan> {
  return Object.fromEntries(plan.workerTypes.map((entry) => [entry.workerType, entry]));
}

/** Launches and the rails that blocked or limited, per worker type. */
function outcome(plan: IterationPlan): Record<string, string> {
  return Object.fromEntries(
    plan.workerTypes.map((entry) => [
      entry.workerType,
      `${entry.launches.length} launches${entry.blocked.map((rail) => `, ${rail.rail}`).join('')}`,
    ]),
  );
}

describe('planIteration shares limits across worker types in a documented order', () => {
  const cases: { name: string; input: IterationInput; order: string[]; outcome: Record<string, string> }[] = [
    {
      name: 'the provisioner-wide cap, net of what runs now, goes by name',
      input: input(
        [
          facts('beta', { pendingTasks: 2 }),
          facts('alpha', { pendingTasks: 2, instances: [running('i-1')] }),
        ],
        { maxHourlySpend: 0.35 },
      ),
      order: ['alpha', 'beta'],
      outcome: { alpha: '2 launches', beta: '0 launches, money-cap' },
    },
    {
      name: 'worker types below their minCapacity come first',
      input: input(
        [
          facts('alpha', { pendingTasks: 3 }),
          facts('beta', { definition: workerType('beta', { minCapacity: 2 }) }),
        ],
        {
          maxHourlySpend: 0.25,
        },
      ),
      order: ['beta', 'alpha'],
      outcome: { alpha: '0 launches, money-cap', beta: '2 launches' },
    },
    {
      name: 'a worker type’s own maxHourlySpend counts what it spends now, in flight included',
      input: input([
        facts('alpha', {
          pendingTasks: 5,
          definition: workerType('alpha', { maxHourlySpend: 0.35 }),
          instances: [running('i-1')],
          launches: [{ ...inFlight, clientToken: 't-1' }],
        }),
        facts('beta', { pendingTasks: 2 }),
      ]),
      order: ['alpha', 'beta'],
      outcome: { alpha: '1 launches, money-cap', beta: '2 launches' },
    },
    {
      name: 'spend already over the cap: nothing is launched',
      input: input([facts('alpha', { pendingTasks: 2, instances: [running('i-1'), running('i-2')] })], {
        maxHourlySpend: 0.15,
      }),
      order: ['alpha'],
      outcome: { alpha: '0 launches, money-cap' },
    },
    {
      name: 'the per-region launch quota',
      input: input([facts('alpha', { pendingTasks: 2 }), facts('beta', { pendingTasks: 2 })], {
        offerLimits: { maxLaunchesPerRegion: 3 },
      }),
      order: ['alpha', 'beta'],
      outcome: { alpha: '2 launches', beta: '1 launches, region-quota' },
    },
    {
      name: 'the quota is per region: another region is not limited',
      input: input(
        [
          facts('alpha', { pendingTasks: 3 }),
          facts('beta', {
            pendingTasks: 2,
            definition: workerType('beta', { regions: [region('us-east-1')] }),
          }),
        ],
        { offerLimits: { maxLaunchesPerRegion: 3 } },
      ),
      order: ['alpha', 'beta'],
      outcome: { alpha: '3 launches', beta: '2 launches' },
    },
    {
      name: 'a quota that runs out is dealt out round-robin, not taken by the first names',
      input: input(
        [
          facts('alpha', { pendingTasks: 3 }),
          facts('beta', { pendingTasks: 2 }),
          facts('gamma', { pendingTasks: 1 }),
        ],
        { offerLimits: { maxLaunchesPerRegion: 3 } },
      ),
      order: ['alpha', 'beta', 'gamma'],
      outcome: { alpha: '1 launches, region-quota', beta: '1 launches, region-quota', gamma: '1 launches' },
    },
    {
      name: 'a share one worker type does not need goes to those that want more',
      input: input(
        [
          facts('alpha', { pendingTasks: 5 }),
          facts('beta', { pendingTasks: 1 }),
          facts('gamma', { pendingTasks: 4 }),
        ],
        { offerLimits: { maxLaunchesPerRegion: 6 } },
      ),
      order: ['alpha', 'beta', 'gamma'],
      outcome: { alpha: '3 launches, region-quota', beta: '1 launches', gamma: '2 launches, region-quota' },
    },
    {
      name: 'launches already made in the region count against the quota before it is dealt out',
      input: input([facts('alpha', { pendingTasks: 3 }), facts('beta', { pendingTasks: 3 })], {
        offerLimits: { maxLaunchesPerRegion: 5, regionLaunchesUsed: { 'us-west-2': 3 } },
      }),
      order: ['alpha', 'beta'],
      outcome: { alpha: '1 launches, region-quota', beta: '1 launches, region-quota' },
    },
    {
      // Alone, alpha spreads 3 + 3 over both regions; held to 2 in us-west-2, it makes up the rest in us-east-1.
      name: 'a worker type held back in one region makes up for it in a region nobody else wants',
      input: input(
        [
          facts('alpha', {
            pendingTasks: 6,
            definition: workerType('alpha', { regions: [region('us-west-2'), region('us-east-1')] }),
          }),
          facts('beta', { pendingTasks: 4 }),
        ],
        { offerLimits: { maxLaunchesPerRegion: 4 } },
      ),
      order: ['alpha', 'beta'],
      outcome: { alpha: '6 launches', beta: '2 launches, region-quota' },
    },
  ];
  it.each(cases)('$name', ({ input: given, order, outcome: expected }) => {
    const plan = planIteration(given);
    expect(plan.planningOrder).toEqual(order);
    expect(outcome(plan)).toEqual(expected);
  });

  it('never plans more than a region quota allows, and gives every worker type that wants one a launch', () => {
    for (const quota of [3, 7, 10, 20, 27, 40]) {
      const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      const plan = planIteration(
        input(
          names.map((name, i) => facts(name, { pendingTasks: 7 - i })),
          { offerLimits: { maxLaunchesPerRegion: quota, regionLaunchesUsed: { 'us-west-2': 2 } } },
        ),
      );
      const launches = plan.workerTypes.map((entry) => entry.launches.length);
      const wanted = names.map((_, i) => 7 - i);
      expect(launches.reduce((a, b) => a + b, 0)).toBe(Math.min(quota - 2, 28));
      for (const [i, count] of launches.entries()) {
        expect(count).toBeLessThanOrEqual(wanted[i] ?? 0);
        // Round-robin: no two worker types that both wanted more differ by more than one launch.
        for (const [j, other] of launches.entries())
          if (count < (wanted[i] ?? 0) && other < (wanted[j] ?? 0))
            expect(Math.abs(count - other)).toBeLessThanOrEqual(1);
        if (quota - 2 >= names.length) expect(count).toBeGreaterThan(0);
      }
    }
  });

  it('reports what the cap still allows after planning', () => {
    const plan = planIteration(
      input([facts('alpha', { pendingTasks: 2, instances: [running('i-1')] })], { maxHourlySpend: 1 }),
    );
    expect(plan.totals).toMatchObject({
      launches: 2,
      plannedCapacity: 2,
      hourlySpendNow: 0.1,
      plannedHourlySpend: 0.2,
    });
    expect(plan.totals.remainingHourlyBudget).toBe(0.7);
    expect(planIteration(input([facts('alpha')])).totals.remainingHourlyBudget).toBeNull();
  });
});

describe('planIteration observation guard rails', () => {
  it('a stale observation blocks provisioning everywhere, reports it, and lets housekeeping go on', () => {
    const ghost = facts('ghost', { definition: undefined, instances: [running('i-rogue')] });
    const plan = planIteration(
      input([facts('alpha', { pendingTasks: 3 }), ghost], { observedAt: NOW - 10 * MIN }),
    );
    expect(plan.observation).toEqual({ ageMs: 10 * MIN, stale: true, unavailableRegions: [] });
    const { alpha, ghost: rogue } = byName(plan);
    expect(alpha?.launches).toEqual([]);
    expect(alpha?.blocked[0]).toMatchObject({
      rail: 'stale-state',
      message: 'observation is 600 s old, over the 300 s bound',
    });
    expect(rogue?.terminations).toEqual([{ region: 'us-west-2', instanceId: 'i-rogue', reason: 'rogue' }]);
  });

  it('an unavailable region blocks only the worker types that use it', () => {
    const east = facts('beta', {
      pendingTasks: 1,
      definition: workerType('beta', { regions: [region('us-east-1')] }),
    });
    const plan = planIteration(
      input([facts('alpha', { pendingTasks: 1 }), east], {
        unavailableRegions: [{ region: 'us-east-1', error: 'timeout' }],
      }),
    );
    expect(plan.observation.unavailableRegions).toEqual(['us-east-1']);
    expect(outcome(plan)).toEqual({ alpha: '1 launches', beta: '0 launches, stale-state' });
  });
});

describe('planIteration housekeeping', () => {
  it('terminates rogues, finishes removals and totals the actions', () => {
    const plan = planIteration(
      input([
        facts('ghost', { definition: undefined, instances: [running('i-rogue')] }),
        facts('gone', { definition: undefined, removal: { requestedAt: NOW - 5 * MIN } }),
        facts('phoenix', { removal: { requestedAt: NOW - 5 * MIN }, instances: [running('i-old')] }),
        facts('reborn', { removal: { requestedAt: NOW - 5 * MIN } }),
      ]),
    );
    const { ghost, phoenix } = byName(plan);
    expect(ghost).toMatchObject({ defined: false, change: null, breaker: null });
    expect(ghost?.record.housekeeping).toEqual([{ id: 'i-rogue', action: 'terminate', reason: 'rogue' }]);
    expect(phoenix?.terminations).toEqual([
      { region: 'us-west-2', instanceId: 'i-old', reason: 'worker-type-removed' },
    ]);
    expect(plan.removalsFinished).toEqual([
      { workerType: 'gone', requestedAt: NOW - 5 * MIN, deleteKeyPairs: true },
      { workerType: 'reborn', requestedAt: NOW - 5 * MIN, deleteKeyPairs: false },
    ]);
    expect(plan.planningOrder).toEqual(['phoenix', 'reborn']);
    expect(plan.totals).toMatchObject({ terminations: 2, cancellations: 0, launches: 0 });
  });
});

/** A small seeded generator (mulberry32), so classic plans can be compared. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('planIteration determinism', () => {
  const two = (order: 'forward' | 'reverse') => {
    const list = [
      facts('alpha', {
        pendingTasks: 3,
        definition: workerType('alpha', { regions: [region('us-west-2'), region('us-east-1')] }),
      }),
      facts('beta', { pendingTasks: 2, instances: [running('i-1')] }),
    ];
    return order === 'forward' ? list : list.reverse();
  };

  it('gives the same plan for the same input, whatever the order of the worker types', () => {
    const plan = planIteration(input(two('forward'), { maxHourlySpend: 0.5 }));
    expect(planIteration(input(two('forward'), { maxHourlySpend: 0.5 }))).toEqual(plan);
    expect(planIteration(input(two('reverse'), { maxHourlySpend: 0.5 }))).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('swaps in the classic strategy, deterministic for the same random draws', () => {
    const classic = (seed: number) =>
      planIteration(input(two('forward'), { strategy: 'classic', random: seeded(seed) }));
    const plan = classic(7);
    expect(plan.strategy).toBe('classic');
    expect(plan.workerTypes.map((entry) => entry.record.offers?.strategy)).toEqual(['classic', 'classic']);
    expect(plan.workerTypes.flatMap((entry) => entry.launches.map((l) => l.maxPrice))).toEqual([
      0.2, 0.2, 0.2, 0.2, 0.2,
    ]);
    expect(classic(7)).toEqual(plan);
    const zones = (p: IterationPlan) =>
      p.workerTypes.flatMap((entry) => entry.launches.map((l) => l.zone)).join();
    const draws = new Set([1, 2, 3, 4, 5, 6].map((seed) => zones(classic(seed))));
    expect(draws.size).toBeGreaterThan(1);
  });
});
