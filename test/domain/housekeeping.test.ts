import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_INSTANCE_LIFE_MS,
  type HousekeepingContext,
  housekeepingOnlyPlan,
  planHousekeeping,
} from '../../src/domain/housekeeping.js';
import type {
  InstanceFact,
  LaunchFact,
  SpotRequestFact,
  WorkerTypeFacts,
} from '../../src/domain/plan-types.js';
import type { WorkerType } from '../../src/domain/worker-type.js';
import { definition } from './definition-fixture.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2024, 0, 5, 12);
const REMOVED_AT = NOW - 30 * MIN;

const defined: WorkerType = {
  ...definition(),
  workerType: 'builder',
  lastModified: '2024-01-01T00:00:00.000Z',
};

function instance(id: string, overrides: Partial<InstanceFact> = {}): InstanceFact {
  return {
    instanceId: id,
    region: 'us-west-2',
    zone: 'us-west-2a',
    instanceType: 'c5.xlarge',
    market: 'spot',
    state: 'running',
    launchTime: NOW - HOUR,
    hourlyPrice: 0.1,
    checkedIn: true,
    ...overrides,
  };
}

function request(id: string, overrides: Partial<SpotRequestFact> = {}): SpotRequestFact {
  return {
    spotRequestId: id,
    region: 'us-west-2',
    instanceType: 'c5.xlarge',
    state: 'open',
    statusCode: 'pending-evaluation',
    createTime: NOW - 5 * MIN,
    ...overrides,
  };
}

function launch(token: string, createdAt: number): LaunchFact {
  return {
    clientToken: token,
    region: 'us-west-2',
    zone: 'us-west-2a',
    instanceType: 'c5.xlarge',
    market: 'spot',
    capacity: 1,
    hourlyPrice: 0.1,
    createdAt,
  };
}

type Facts = Pick<WorkerTypeFacts, 'definition' | 'removal'> & Partial<WorkerTypeFacts>;

function housekeep(facts: Facts, unavailable: string[] = []) {
  const context: HousekeepingContext = {
    now: NOW,
    maxInstanceLifeMs: DEFAULT_MAX_INSTANCE_LIFE_MS,
    stuckRequestAfterMs: 20 * MIN,
    unavailableRegions: new Set(unavailable),
  };
  return planHousekeeping(
    { workerType: 'builder', instances: [], spotRequests: [], launches: [], ...facts },
    context,
  );
}

/** `<id>:<reason>` for every action, terminations then cancellations. */
function actions(result: ReturnType<typeof housekeep>): string[] {
  return [
    ...result.terminations.map((t) => `${t.instanceId}:${t.reason}`),
    ...result.cancellations.map((c) => `${c.spotRequestId}:${c.reason}`),
  ];
}

describe('planHousekeeping', () => {
  const cases: { name: string; facts: Facts; actions: string[] }[] = [
    {
      name: 'a defined, young fleet is left alone',
      facts: { definition: defined, instances: [instance('i-1')], spotRequests: [request('sr-1')] },
      actions: [],
    },
    {
      name: 'rogue: an undefined worker type without a removal loses every live resource',
      facts: {
        definition: undefined,
        instances: [
          instance('i-run'),
          instance('i-stopped', { state: 'stopped' }),
          instance('i-dead', { state: 'terminated' }),
          instance('i-going', { state: 'shutting-down' }),
        ],
        spotRequests: [request('sr-open'), request('sr-active', { state: 'active' })],
      },
      actions: ['i-run:rogue', 'i-stopped:rogue', 'sr-open:rogue', 'sr-active:rogue'],
    },
    {
      name: 'zombies: live instances launched more than maxInstanceLife ago',
      facts: {
        definition: defined,
        instances: [
          instance('i-zombie', { launchTime: NOW - 97 * HOUR }),
          instance('i-pending-zombie', { state: 'pending', launchTime: NOW - 97 * HOUR }),
          instance('i-exactly', { launchTime: NOW - 96 * HOUR }),
          instance('i-stopped-old', { state: 'stopped', launchTime: NOW - 97 * HOUR }),
        ],
      },
      actions: ['i-zombie:zombie', 'i-pending-zombie:zombie'],
    },
    {
      name: 'stuck: open too long, or with a stalled status code (spelled to match)',
      facts: {
        definition: defined,
        spotRequests: [
          request('sr-old', { createTime: NOW - 21 * MIN }),
          request('sr-constraint', { statusCode: 'constraint-not-fulfillable' }),
          request('sr-capacity', { statusCode: 'capacity-not-available' }),
          request('sr-price', { statusCode: 'price-too-low' }),
          request('sr-young', { statusCode: 'pending-fulfillment' }),
          request('sr-active-old', { state: 'active', createTime: NOW - 60 * MIN }),
        ],
      },
      actions: ['sr-old:stuck', 'sr-constraint:stuck', 'sr-capacity:stuck', 'sr-price:stuck'],
    },
    {
      name: 'removal: everything of a worker type that was not re-created',
      facts: {
        definition: undefined,
        removal: { requestedAt: REMOVED_AT },
        instances: [instance('i-before'), instance('i-after', { launchTime: NOW - MIN })],
        spotRequests: [request('sr-1')],
      },
      actions: ['i-before:worker-type-removed', 'i-after:worker-type-removed', 'sr-1:worker-type-removed'],
    },
    {
      name: 'removal of a re-created worker type: only what predates the removal',
      facts: {
        definition: defined,
        removal: { requestedAt: REMOVED_AT },
        instances: [
          instance('i-old', { launchTime: REMOVED_AT - MIN }),
          instance('i-new', { launchTime: NOW - MIN }),
          // EC2 gives launch times in whole seconds: launched 0.2 s after the removal, shown 0.7 s before it.
          instance('i-same-second', { launchTime: REMOVED_AT - 700 }),
          instance('i-second-before', { launchTime: REMOVED_AT - 1_700 }),
        ],
        spotRequests: [
          request('sr-old', { createTime: REMOVED_AT - MIN }),
          request('sr-new', { createTime: NOW - MIN }),
          request('sr-same-second', { createTime: REMOVED_AT - 700 }),
        ],
      },
      actions: [
        'i-old:worker-type-removed',
        'i-second-before:worker-type-removed',
        'sr-old:worker-type-removed',
        // The new definition's (open 30 min, so stuck), not the removed one's.
        'sr-same-second:stuck',
      ],
    },
    {
      name: 'precedence: removed over zombie and stuck',
      facts: {
        definition: undefined,
        removal: { requestedAt: REMOVED_AT },
        instances: [instance('i-zombie', { launchTime: NOW - 100 * HOUR })],
        spotRequests: [request('sr-stuck', { createTime: NOW - 60 * MIN })],
      },
      actions: ['i-zombie:worker-type-removed', 'sr-stuck:worker-type-removed'],
    },
    {
      name: 'precedence: rogue over zombie and stuck',
      facts: {
        definition: undefined,
        instances: [instance('i-zombie', { launchTime: NOW - 100 * HOUR })],
        spotRequests: [request('sr-stuck', { statusCode: 'capacity-not-available' })],
      },
      actions: ['i-zombie:rogue', 'sr-stuck:rogue'],
    },
  ];
  it.each(cases)('$name', ({ facts, actions: expected }) => {
    const result = housekeep(facts);
    expect(actions(result)).toEqual(expected);
    // Each resource gets at most one action.
    expect(new Set(actions(result).map((a) => a.split(':')[0])).size).toBe(expected.length);
  });

  it('leaves resources in unavailable regions alone and counts them', () => {
    const result = housekeep(
      {
        definition: undefined,
        instances: [instance('i-west'), instance('i-east', { region: 'us-east-1', zone: 'us-east-1a' })],
        spotRequests: [request('sr-east', { region: 'us-east-1' })],
      },
      ['us-east-1'],
    );
    expect(actions(result)).toEqual(['i-west:rogue']);
    expect(result.skippedInUnavailableRegions).toBe(2);
  });

  it('retains for planning only what it does not act on and what the current definition launched', () => {
    const result = housekeep({
      definition: defined,
      removal: { requestedAt: REMOVED_AT },
      instances: [
        instance('i-old', { launchTime: REMOVED_AT - MIN }),
        instance('i-zombie', { launchTime: NOW - 100 * HOUR }),
        instance('i-new', { launchTime: NOW - MIN }),
      ],
      spotRequests: [request('sr-stuck', { statusCode: 'price-too-low' }), request('sr-new')],
      launches: [launch('old-token', REMOVED_AT - MIN), launch('new-token', NOW - MIN)],
    });
    expect(result.retained.instances.map((i) => i.instanceId)).toEqual(['i-new']);
    expect(result.retained.spotRequests.map((r) => r.spotRequestId)).toEqual(['sr-new']);
    expect(result.retained.launches.map((l) => l.clientToken)).toEqual(['new-token']);
  });
});

describe('finishing a removal', () => {
  const removal = { requestedAt: REMOVED_AT };
  const cases: {
    name: string;
    facts: Facts;
    unavailable?: string[];
    finished: boolean;
    deleteKeyPairs?: boolean;
  }[] = [
    {
      name: 'nothing left: finished, key pairs deleted',
      facts: { definition: undefined, removal, instances: [instance('i-1', { state: 'terminated' })] },
      finished: true,
      deleteKeyPairs: true,
    },
    {
      name: 'an instance still shutting down does not hold it up',
      facts: { definition: undefined, removal, instances: [instance('i-1', { state: 'shutting-down' })] },
      finished: true,
      deleteKeyPairs: true,
    },
    {
      name: 'a live instance holds it up (it is terminated this iteration)',
      facts: { definition: undefined, removal, instances: [instance('i-1')] },
      finished: false,
    },
    {
      name: 'a stopped instance holds it up',
      facts: { definition: undefined, removal, instances: [instance('i-1', { state: 'stopped' })] },
      finished: false,
    },
    {
      name: 'an open request holds it up',
      facts: { definition: undefined, removal, spotRequests: [request('sr-1')] },
      finished: false,
    },
    {
      name: 'an in-flight launch holds it up (it cannot be cancelled)',
      facts: { definition: undefined, removal, launches: [launch('token', REMOVED_AT - MIN)] },
      finished: false,
    },
    {
      name: 'an unavailable region holds it up (its resources are unknown)',
      facts: { definition: undefined, removal },
      unavailable: ['eu-central-1'],
      finished: false,
    },
    {
      name: 're-created: the new definition’s resources do not hold it up; key pairs are kept',
      facts: {
        definition: defined,
        removal,
        instances: [instance('i-new', { launchTime: NOW - MIN })],
        launches: [launch('new-token', NOW - MIN)],
      },
      finished: true,
      deleteKeyPairs: false,
    },
    {
      name: 're-created: an instance of a launch recorded before the removal (sent after it) holds it up',
      facts: {
        definition: defined,
        removal: { ...removal, launchedBefore: ['i-late'] },
        instances: [instance('i-late', { launchTime: NOW - MIN })],
      },
      finished: false,
    },
    {
      name: 're-created: an in-flight launch of the old definition holds it up',
      facts: { definition: defined, removal, launches: [launch('old-token', REMOVED_AT - MIN)] },
      finished: false,
    },
  ];
  it.each(cases)('$name', ({ facts, unavailable, finished, deleteKeyPairs }) => {
    const result = housekeep(facts, unavailable);
    expect(result.removalFinished).toEqual(
      finished ? { workerType: 'builder', requestedAt: REMOVED_AT, deleteKeyPairs } : null,
    );
  });

  it('says in the plan why a removal waits', () => {
    const facts = {
      workerType: 'builder',
      definition: undefined,
      removal,
      instances: [],
      spotRequests: [],
      launches: [],
    };
    const result = housekeep(facts, ['eu-central-1']);
    const plan = housekeepingOnlyPlan(
      facts,
      result,
      { runningCapacity: 0, pendingCapacity: 0, requestedCapacity: 0 },
      0,
    );
    expect(plan.blocked.map((rail) => rail.message)).toEqual([
      'removal cannot finish while a region is unavailable',
    ]);
  });
});
