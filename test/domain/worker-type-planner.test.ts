import { describe, expect, it } from 'vitest';
import type { BreakerState } from '../../src/domain/circuit-breaker.js';
import { planHousekeeping } from '../../src/domain/housekeeping.js';
import { type PriceObservation, resolveLimits } from '../../src/domain/offers.js';
import type {
  GuardRail,
  InstanceFact,
  LaunchFact,
  SpotRequestFact,
  WorkerTypeFacts,
  WorkerTypePlan,
} from '../../src/domain/plan-types.js';
import type { WorkerType, WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { planWorkerType, type WorkerTypePlanContext } from '../../src/domain/worker-type-planner.js';
import { definition } from './definition-fixture.js';

const MIN = 60_000;
const NOW = Date.UTC(2024, 0, 5, 12);
const SMALL = 'c5.xlarge';
const LARGE = 'c5.2xlarge';

// c5.2xlarge costs 0.15 per utility, outside the 15 % spread of c5.xlarge's 0.1: every launch is a c5.xlarge.
const prices: PriceObservation[] = [
  { region: 'us-west-2', zone: 'us-west-2a', instanceType: SMALL, spotPrice: 0.1, onDemandPrice: 0.2 },
  { region: 'us-west-2', zone: 'us-west-2a', instanceType: LARGE, spotPrice: 0.3, onDemandPrice: 0.4 },
];

function instance(id: string, overrides: Partial<InstanceFact> = {}): InstanceFact {
  return {
    instanceId: id,
    region: 'us-west-2',
    zone: 'us-west-2a',
    instanceType: SMALL,
    market: 'spot',
    state: 'running',
    launchTime: NOW - 60 * MIN,
    hourlyPrice: 0.1,
    checkedIn: true,
    ...overrides,
  };
}

function request(id: string, overrides: Partial<SpotRequestFact> = {}): SpotRequestFact {
  const base = { region: 'us-west-2', zone: 'us-west-2a', instanceType: SMALL, state: 'open' as const };
  return {
    ...base,
    spotRequestId: id,
    statusCode: 'pending-evaluation',
    createTime: NOW - 5 * MIN,
    ...overrides,
  };
}

function launch(token: string, createdAt = NOW - MIN): LaunchFact {
  const base = { region: 'us-west-2', zone: 'us-west-2a', instanceType: SMALL, market: 'spot' as const };
  return { ...base, clientToken: token, capacity: 1, hourlyPrice: 0.1, createdAt };
}

interface Scenario {
  facts?: Partial<WorkerTypeFacts>;
  definition?: Partial<WorkerTypeDefinition>;
  context?: Partial<WorkerTypePlanContext>;
}

function plan({ facts = {}, definition: overrides = {}, context = {} }: Scenario): WorkerTypePlan {
  const workerType: WorkerType = {
    ...definition(overrides),
    workerType: 'builder',
    lastModified: '2024-01-01T00:00:00Z',
  };
  const all = {
    workerType: 'builder',
    pendingTasks: 0,
    instances: [],
    spotRequests: [],
    launches: [],
    ...facts,
    definition: workerType,
  };
  const ctx: WorkerTypePlanContext = {
    now: NOW,
    strategy: 'default',
    prices,
    capacityFailures: [],
    limits: resolveLimits(undefined),
    staleObservation: null,
    unavailableRegions: new Map(),
    ...context,
  };
  const housekeeping = planHousekeeping(all, {
    now: NOW,
    maxInstanceLifeMs: 96 * 60 * MIN,
    stuckRequestAfterMs: 20 * MIN,
    unavailableRegions: new Set(ctx.unavailableRegions.keys()),
  });
  return planWorkerType(all, housekeeping, ctx);
}

const launchTypes = (result: WorkerTypePlan) => result.launches.map((l) => `${l.zone}/${l.instanceType}`);
const rails = (result: WorkerTypePlan) => result.blocked.map((rail) => rail.rail);

describe('capacity and scale-up', () => {
  // One c5.xlarge (one unit) per unit of change.
  const cases: (Scenario & { name: string; change: number })[] = [
    { name: 'launches one unit per pending task', facts: { pendingTasks: 3 }, change: 3 },
    { name: 'keeps minCapacity without demand', definition: { minCapacity: 2 }, change: 2 },
    {
      name: 'stops at maxCapacity (running counts)',
      facts: { pendingTasks: 50, instances: [instance('i-1'), instance('i-2'), instance('i-3')] },
      definition: { maxCapacity: 5 },
      change: 2,
    },
    {
      name: 'in-flight launches prevent launching twice',
      facts: { pendingTasks: 3, launches: [launch('t-1'), launch('t-2'), launch('t-3')] },
      change: 0,
    },
    {
      name: 'pending instances, open requests and in-flight launches all count as pending',
      facts: {
        pendingTasks: 4,
        instances: [instance('i-1', { state: 'pending' })],
        spotRequests: [request('sr-1')],
        launches: [launch('t-1')],
      },
      change: 1,
    },
    {
      name: 'an active request counts until its instance is visible',
      facts: {
        pendingTasks: 3,
        instances: [instance('i-seen', { state: 'pending' })],
        spotRequests: [
          request('sr-seen', { state: 'active', instanceId: 'i-seen' }),
          request('sr-unseen', { state: 'active', instanceId: 'i-unseen' }),
        ],
      },
      change: 1,
    },
    {
      name: 'an instance we asked to terminate counts while EC2 still describes it live (the call failed)',
      facts: { pendingTasks: 0, instances: [instance('i-1', { terminatedByUs: true })] },
      definition: { minCapacity: 1 },
      change: 0,
    },
    {
      name: 'an instance we asked to terminate, only last seen live, does not count',
      facts: { pendingTasks: 0, instances: [instance('i-1', { terminatedByUs: true, lastSeen: true })] },
      definition: { minCapacity: 1 },
      change: 1,
    },
    {
      name: 'a zombie is terminated and replaced in the same iteration',
      facts: { pendingTasks: 0, instances: [instance('i-zombie', { launchTime: NOW - 97 * 60 * MIN })] },
      definition: { minCapacity: 1 },
      change: 1,
    },
    {
      name: 'a zombie launched through a spot request is replaced too: its request goes with it',
      facts: {
        pendingTasks: 0,
        instances: [instance('i-zombie', { launchTime: NOW - 97 * 60 * MIN })],
        spotRequests: [
          request('sir-zombie', { state: 'active', instanceId: 'i-zombie', createTime: NOW - 97 * 60 * MIN }),
        ],
      },
      definition: { minCapacity: 1 },
      change: 1,
    },
    {
      name: 'capacity comes from the instance type (one unit for a type no longer listed)',
      facts: {
        pendingTasks: 10,
        instances: [
          instance('i-big', { instanceType: LARGE }),
          instance('i-old', { instanceType: 'm3.large' }),
        ],
      },
      definition: { maxCapacity: 4 },
      change: 1,
    },
    {
      name: 'scalingRatio tolerates pending tasks against running capacity',
      facts: { pendingTasks: 3, instances: ['i-1', 'i-2', 'i-3', 'i-4'].map((id) => instance(id)) },
      definition: { scalingRatio: 0.5 },
      change: 1,
    },
  ];
  it.each(cases)('$name', ({ name: _name, change, ...scenario }) => {
    const result = plan(scenario);
    expect(result.change).toBe(change);
    expect(launchTypes(result)).toEqual(Array.from({ length: change }, () => `us-west-2a/${SMALL}`));
    expect(result.blocked).toEqual([]);
  });

  it('reports the figures, the spend and the offers in the decision record', () => {
    const result = plan({
      facts: {
        pendingTasks: 2,
        instances: [instance('i-1'), instance('i-2', { state: 'pending' })],
        launches: [launch('t-1')],
      },
    });
    expect(result.capacity).toEqual({ runningCapacity: 1, pendingCapacity: 2, requestedCapacity: 0 });
    expect(result.hourlySpend).toEqual({ now: 0.3, planned: 0 });
    const scaled = plan({ facts: { pendingTasks: 2 } });
    expect(scaled.hourlySpend).toEqual({ now: 0, planned: 0.2 });
    expect(scaled.record.inputs).toMatchObject({
      pendingTasks: 2,
      minCapacity: 0,
      maxCapacity: 20,
      maxHourlySpend: null,
    });
    expect(scaled.record.offers?.candidates[0]).toMatchObject({
      instanceType: SMALL,
      rank: 1,
      pricePerUtility: 0.1,
      launches: 2,
    });
    expect(JSON.parse(JSON.stringify(scaled.record))).toEqual(scaled.record);
  });
});

describe('scale-down', () => {
  const fleet = {
    instances: [
      instance('i-run-1'),
      instance('i-run-2'),
      instance('i-pending', { state: 'pending', checkedIn: false }),
    ],
    spotRequests: [
      request('sr-old', { createTime: NOW - 3 * MIN }),
      request('sr-new', { createTime: NOW - 2 * MIN }),
    ],
  };
  const cases: (Scenario & { name: string; removed: string[]; kept: Record<string, number> })[] = [
    {
      name: 'cancels open requests, then terminates pending instances; running ones stay',
      facts: { ...fleet, pendingTasks: 0 },
      removed: [
        'sr-new:surplus-spot-request',
        'sr-old:surplus-spot-request',
        'i-pending:surplus-pending-instance',
      ],
      kept: { busy: 2 },
    },
    {
      name: 'never below minCapacity',
      facts: { ...fleet, pendingTasks: 0 },
      definition: { minCapacity: 3 },
      removed: ['sr-new:surplus-spot-request', 'sr-old:surplus-spot-request'],
      kept: { busy: 2, 'no-surplus-left': 1 },
    },
    {
      name: 'in-flight launches cannot be cancelled: counted, kept',
      facts: { pendingTasks: 0, spotRequests: [request('sr-1')], launches: [launch('t-1'), launch('t-2')] },
      removed: ['sr-1:surplus-spot-request'],
      kept: { 'in-flight-launch': 2 },
    },
    {
      name: 'an instance EC2 still shows live after we terminated it goes again, not a newer one',
      facts: {
        pendingTasks: 0,
        instances: [
          instance('i-terminated', {
            state: 'pending',
            launchTime: NOW - 9 * MIN,
            terminatedByUs: true,
            checkedIn: false,
          }),
          instance('i-new', { state: 'pending', launchTime: NOW - MIN, checkedIn: false }),
        ],
      },
      definition: { minCapacity: 1 },
      removed: ['i-terminated:surplus-pending-instance'],
      kept: { 'no-surplus-left': 1 },
    },
    {
      name: 'a pending instance described over 30 s before its worker type’s demand was read is kept',
      facts: {
        pendingTasks: 0,
        demandReadAt: NOW + 31_000,
        instances: [instance('i-late', { state: 'pending', checkedIn: false })],
      },
      context: { observedAt: NOW },
      removed: [],
      kept: { 'may-have-started': 1 },
    },
    {
      name: 'within 30 s of the observation it goes',
      facts: {
        pendingTasks: 0,
        demandReadAt: NOW + 30_000,
        instances: [instance('i-late', { state: 'pending', checkedIn: false })],
      },
      context: { observedAt: NOW },
      removed: ['i-late:surplus-pending-instance'],
      kept: {},
    },
    {
      name: 'a not-yet-running instance whose worker checked in is kept',
      facts: { pendingTasks: 0, instances: [instance('i-started', { state: 'pending', checkedIn: true })] },
      removed: [],
      kept: { 'checked-in': 1 },
    },
  ];
  it.each(cases)('$name', ({ name: _name, removed, kept, ...scenario }) => {
    const result = plan(scenario);
    expect([
      ...result.cancellations.map((c) => `${c.spotRequestId}:${c.reason}`),
      ...result.terminations.map((t) => `${t.instanceId}:${t.reason}`),
    ]).toEqual(removed);
    expect(result.terminations.every((t) => t.region === 'us-west-2')).toBe(true);
    const record = result.record.scaleDown;
    expect(Object.fromEntries((record?.kept ?? []).map((k) => [k.reason, k.count]))).toEqual(kept);
    expect(result.launches).toEqual([]);
  });
});

const openBreaker: BreakerState = {
  status: 'open',
  since: NOW - 5 * MIN,
  openUntil: NOW + 5 * MIN,
  trialStartedAt: null,
  consecutiveOpenings: 1,
  reason: '3 launches in a row failed (invalid-request)',
};

describe('guard rails', () => {
  const STALE = 'observation is 600 s old, over the 300 s bound';
  const surplus = { spotRequests: [request('sr-1')] };
  const cases: (Scenario & {
    name: string;
    rail: GuardRail;
    /** [launches, cancellations] */
    acts: [number, number];
    message: string;
  })[] = [
    {
      name: 'a stale observation blocks scale-up',
      facts: { pendingTasks: 3 },
      context: { staleObservation: STALE },
      rail: 'stale-state',
      acts: [0, 0],
      message: STALE,
    },
    {
      name: 'a stale observation blocks scale-down',
      facts: { ...surplus, pendingTasks: 0 },
      context: { staleObservation: STALE },
      rail: 'stale-state',
      acts: [0, 0],
      message: STALE,
    },
    {
      name: 'one of its regions failing to describe blocks both',
      facts: { ...surplus, pendingTasks: 0 },
      context: { unavailableRegions: new Map([['us-west-2', 'RequestLimitExceeded']]) },
      rail: 'stale-state',
      acts: [0, 0],
      message: 'observation incomplete: us-west-2 (RequestLimitExceeded)',
    },
    {
      name: 'unknown demand blocks scale-up and scale-down',
      facts: { ...surplus, pendingTasks: { error: 'queue answered 503' } },
      rail: 'demand-unknown',
      acts: [0, 0],
      message: 'pending tasks unknown: queue answered 503',
    },
    {
      name: 'an open breaker pauses launches',
      facts: { pendingTasks: 3, breaker: openBreaker },
      rail: 'circuit-breaker',
      acts: [0, 0],
      message: `paused until 2024-01-05T12:05:00.000Z: ${openBreaker.reason}`,
    },
    {
      name: 'an open breaker does not stop scale-down',
      facts: { ...surplus, pendingTasks: 0, breaker: openBreaker },
      rail: 'circuit-breaker',
      acts: [0, 1],
      message: `paused until 2024-01-05T12:05:00.000Z: ${openBreaker.reason}`,
    },
    {
      name: 'a half-open breaker allows its trial launch only',
      facts: { pendingTasks: 3, breaker: { ...openBreaker, openUntil: NOW - MIN } },
      rail: 'circuit-breaker',
      acts: [1, 0],
      message: `trial after a pause (${openBreaker.reason}): 1 more launch(es) until one checks in`,
    },
  ];
  it.each(cases)('$name', ({ name: _name, rail, acts: [launches, cancellations], message, ...scenario }) => {
    const result = plan(scenario);
    expect(rails(result)).toEqual([rail]);
    expect(result.blocked[0]?.message).toBe(message);
    expect(result.record.guardRails).toEqual(result.blocked);
    expect(result.launches).toHaveLength(launches);
    expect(result.cancellations).toHaveLength(cancellations);
  });

  it('an unavailable region the worker type does not use blocks nothing', () => {
    const result = plan({
      facts: { pendingTasks: 1 },
      context: { unavailableRegions: new Map([['eu-west-1', 'down']]) },
    });
    expect(result.blocked).toEqual([]);
    expect(result.launches).toHaveLength(1);
  });

  it('a half-open breaker shows on the candidates its trial cut, and in the unmet reasons', () => {
    const result = plan({ facts: { pendingTasks: 3, breaker: { ...openBreaker, openUntil: NOW - MIN } } });
    const offers = result.record.offers;
    const cut = offers?.candidates.filter((c) => c.excluded === 'breaker') ?? [];
    expect(cut.length).toBeGreaterThan(0);
    expect(cut[0]?.detail).toBe('circuit breaker trial allows 1 launch(es)');
    expect(offers?.candidates.reduce((sum, c) => sum + c.launches, 0)).toBe(1);
    expect(offers?.unmet).toMatchObject({ capacity: 2, reasons: ['on-demand-not-allowed', 'breaker'] });
  });

  it('an open breaker still ranks the offers, and marks those it held back', () => {
    const result = plan({ facts: { pendingTasks: 2, breaker: openBreaker } });
    const offers = result.record.offers;
    expect(result.launches).toEqual([]);
    expect(offers?.candidates.filter((c) => c.excluded === 'breaker').length).toBeGreaterThan(0);
    expect(offers?.candidates.every((c) => c.launches === 0)).toBe(true);
    expect(offers?.unmet).toMatchObject({ capacity: 2, reasons: ['on-demand-not-allowed', 'breaker'] });
    expect(offers?.candidates.find((c) => c.excluded === 'breaker')?.detail).toBe(
      `circuit breaker paused until 2024-01-05T12:05:00.000Z: ${openBreaker.reason}`,
    );
    expect(result.record.guardRails.map((r) => r.rail)).toEqual(['circuit-breaker']);
  });

  it('an open breaker’s offers, for the record only, report no money cap or quota, nor use up classic draws', () => {
    const budgeted = plan({
      facts: { pendingTasks: 5, breaker: openBreaker },
      context: { remainingHourlyBudget: 0.05 },
    });
    expect(rails(budgeted)).toEqual(['circuit-breaker']);
    let draws = 0;
    const random = () => {
      draws += 1;
      return 0.5;
    };
    plan({ facts: { pendingTasks: 2, breaker: openBreaker }, context: { strategy: 'classic', random } });
    expect(draws).toBe(0);
  });

  it('a breaker opening this iteration pauses this iteration’s launches', () => {
    const failures = [3, 2, 1].map((ago) => ({
      at: NOW - ago * MIN,
      ok: false,
      errorKind: 'invalid-request' as const,
    }));
    const result = plan({ facts: { pendingTasks: 3, recentLaunches: failures } });
    expect(result.breaker?.status).toBe('open');
    expect(result.launches).toEqual([]);
    expect(rails(result)).toEqual(['circuit-breaker']);
  });
});

describe('strategies', () => {
  it('swaps in the classic strategy, which draws from `random`', () => {
    // The last candidate (c5.2xlarge), bid at twice its recent price; the default strategy picks by price.
    const classic = plan({
      facts: { pendingTasks: 2 },
      context: { strategy: 'classic', random: () => 0.99 },
    });
    expect(classic.record.offers?.strategy).toBe('classic');
    expect(classic.launches.map((l) => [l.instanceType, l.maxPrice])).toEqual([[LARGE, 0.6]]);
    const byDefault = plan({ facts: { pendingTasks: 2 }, context: { random: () => 0.99 } });
    expect(byDefault.record.offers?.strategy).toBe('default');
    expect(byDefault.launches.map((l) => [l.instanceType, l.maxPrice])).toEqual([
      [SMALL, 0.2],
      [SMALL, 0.2],
    ]);
  });

  it('refuses the classic strategy without a random source', () => {
    expect(() => plan({ facts: { pendingTasks: 1 }, context: { strategy: 'classic' } })).toThrow(/random/);
  });
});
