import { describe, expect, it } from 'vitest';
import { planIteration } from '../../src/domain/iteration-planner.js';
import type { PriceObservation } from '../../src/domain/offers.js';
import { type FactSources, gatherFacts } from '../../src/provisioner/gather-facts.js';
import type { RegionObservation } from '../../src/provisioner/observe-fleet.js';
import type { ObservedInstance } from '../../src/store/fleet-view.js';
import { definition, instanceType, region } from '../domain/definition-fixture.js';

const NOW = Date.UTC(2024, 0, 5, 12);
const ON_DEMAND = 0.17;

const workerType = (name: string, where: string) => ({
  ...definition({ instanceTypes: [instanceType('c5.xlarge')], regions: [region(where)], maxCapacity: 100 }),
  workerType: name,
  lastModified: '2024-01-01T00:00:00.000Z',
});

const running = (id: string, where: string): ObservedInstance => ({
  instanceId: id,
  region: where,
  workerType: 'east',
  instanceType: 'c5.xlarge',
  zone: `${where}a`,
  state: 'running',
  market: 'spot',
  imageId: 'ami-1',
  launchTime: new Date(NOW - 3_600_000).toISOString(),
  spotRequestId: null,
  stateReason: null,
});

/** us-east-1 failed to describe (its 10 instances are last seen); us-west-2 answered, with prices. */
function sources(): FactSources {
  const prices: PriceObservation[] = [
    {
      region: 'us-west-2',
      zone: 'us-west-2a',
      instanceType: 'c5.xlarge',
      spotPrice: 0.1,
      onDemandPrice: 0.2,
    },
  ];
  return {
    provisionerId: 'p',
    definitions: [workerType('east', 'us-east-1'), workerType('west', 'us-west-2')],
    removals: [],
    observations: [
      { region: 'us-west-2', ok: true, instances: [], spotRequests: [] },
      { region: 'us-east-1', ok: false, error: 'RequestLimitExceeded' },
    ] satisfies RegionObservation[],
    lastSeen: Array.from({ length: 10 }, (_, i) => running(`i-east-${i}`, 'us-east-1')),
    prices,
    onDemandPrice: (where, type) => (where === 'us-east-1' && type === 'c5.xlarge' ? ON_DEMAND : undefined),
    demand: new Map([
      ['east', 0],
      ['west', 50],
    ]),
    demandReadAt: new Map([['west', 1_000]]),
    inFlight: [],
    checkedIn: new Set(),
    terminatedByUs: new Set(),
    outcomes: [],
    breakers: new Map(),
  };
}

describe('gatherFacts', () => {
  it('prices an instance whose pool has no observed price at on-demand, never at $0', () => {
    const facts = gatherFacts(sources());
    const east = facts.find((f) => f.workerType === 'east');
    expect(east?.instances.map((i) => i.hourlyPrice)).toEqual(Array(10).fill(ON_DEMAND));
  });

  it('says when each worker type’s demand was read (undefined when it was not answered)', () => {
    const facts = gatherFacts(sources());
    expect(facts.find((f) => f.workerType === 'west')?.demandReadAt).toBe(1_000);
    expect(facts.find((f) => f.workerType === 'east')?.demandReadAt).toBeUndefined();
  });

  it("so the provisioner-wide money cap counts a failed region's instances", () => {
    const plan = planIteration({
      now: NOW,
      provisionerId: 'p',
      strategy: 'default',
      maxHourlySpend: 2,
      observedAt: NOW,
      maxObservationAgeMs: 120_000,
      unavailableRegions: [{ region: 'us-east-1', error: 'RequestLimitExceeded' }],
      prices: sources().prices,
      capacityFailures: [],
      workerTypes: gatherFacts(sources()),
    });
    expect(plan.totals.hourlySpendNow).toBeCloseTo(10 * ON_DEMAND);
    // $2 − $1.70 leaves room for 3 more at $0.10: not 20.
    expect(plan.totals.launches).toBe(3);
  });
});
