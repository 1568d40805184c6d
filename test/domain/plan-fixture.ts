/** One worker type, alpha, planned alone by the real planner against one c5.xlarge offer at $0.10. */
import { planIteration } from '../../src/domain/iteration-planner.js';
import type { InstanceFact, IterationInput, WorkerTypeFacts } from '../../src/domain/plan-types.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { definition, instanceType } from './definition-fixture.js';

export const NOW = Date.UTC(2024, 0, 5, 12);

/** Alpha's facts: c5.xlarge only, maxCapacity 20, nothing running, `shape` applied to its definition. */
export function alphaFacts(
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

export function runningInstances(count: number): InstanceFact[] {
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

export function planAlone(workerType: WorkerTypeFacts, overrides: Partial<IterationInput> = {}) {
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
