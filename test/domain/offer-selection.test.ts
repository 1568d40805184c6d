import { describe, expect, it } from 'vitest';
import { selectOffers } from '../../src/domain/offer-selection.js';
import {
  type CandidateRecord,
  type Market,
  type OfferPlan,
  type OfferSelectionInput,
  type PoolCapacity,
  type PriceObservation,
  toLaunchOffer,
} from '../../src/domain/offers.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { definition, instanceType, region, zone } from './definition-fixture.js';

const SMALL = 'c5.xlarge';
const LARGE = 'c5.2xlarge';

/** A pool's prices; the region is the zone without its letter. */
function price(zoneName: string, type: string, spotPrice: number | undefined, onDemandPrice?: number) {
  const observation: PriceObservation = { region: zoneName.slice(0, -1), zone: zoneName, instanceType: type };
  if (spotPrice !== undefined) observation.spotPrice = spotPrice;
  if (onDemandPrice !== undefined) observation.onDemandPrice = onDemandPrice;
  return observation;
}

const spot = (zoneName: string, spotPrice: number, type = SMALL) => price(zoneName, type, spotPrice);

/** Capacity the worker type already has in a pool. */
function held(zoneName: string, capacity: number, market: Market = 'spot'): PoolCapacity {
  return { region: zoneName.slice(0, -1), zone: zoneName, instanceType: SMALL, market, capacity };
}

const baseDefinition = definition({
  maxPrice: 0.5,
  instanceTypes: [instanceType(SMALL), instanceType(LARGE, { capacity: 2, utility: 2 })],
  regions: [region('us-west-2'), region('us-east-1')],
});

type PlanOverrides = Partial<Omit<OfferSelectionInput, 'definition'>> & {
  definition?: Partial<WorkerTypeDefinition>;
};

function plan(overrides: PlanOverrides = {}): OfferPlan {
  const { definition: definitionOverrides, ...rest } = overrides;
  return selectOffers({
    workerType: 'builder',
    definition: { ...baseDefinition, ...definitionOverrides },
    change: 1,
    prices: [],
    now: 1_000,
    ...rest,
  });
}

/** Launches per pool: `<zone>` for spot c5.xlarge, `/<type>` added for others, `od:` for on-demand. */
function launchCounts(result: OfferPlan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const launch of result.launches) {
    const type = launch.instanceType === SMALL ? '' : `/${launch.instanceType}`;
    const key = `${launch.market === 'spot' ? '' : 'od:'}${launch.zone}${type}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function record(
  result: OfferPlan,
  zoneName: string,
  type: string,
  market = 'spot',
): CandidateRecord | undefined {
  return result.candidates.find((c) => c.zone === zoneName && c.instanceType === type && c.market === market);
}

describe('selectOffers: cheapest first with spreading', () => {
  const cases: [string, PlanOverrides, Record<string, number>][] = [
    [
      'the cheapest pool wins when the others are more than 15 % dearer',
      { change: 3, prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.2)] },
      { 'us-west-2a': 3 },
    ],
    [
      'near-equal pools share the launches evenly',
      {
        change: 6,
        prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.105), spot('us-east-1a', 0.11)],
      },
      { 'us-west-2a': 2, 'us-west-2b': 2, 'us-east-1a': 2 },
    ],
    [
      'existing capacity is balanced first: the emptier pool catches up, then they alternate',
      {
        change: 6,
        prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.105)],
        existingCapacity: [held('us-west-2a', 4)],
      },
      { 'us-west-2b': 5, 'us-west-2a': 1 },
    ],
    [
      'on-demand capacity in a pool does not count as spot capacity there',
      {
        change: 2,
        prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.105)],
        existingCapacity: [held('us-west-2a', 4, 'on-demand')],
      },
      { 'us-west-2a': 1, 'us-west-2b': 1 },
    ],
    [
      'a much cheaper single pool takes everything, however loaded it is',
      {
        change: 4,
        prices: [spot('us-west-2a', 0.05), spot('us-west-2b', 0.1)],
        existingCapacity: [held('us-west-2a', 100)],
      },
      { 'us-west-2a': 4 },
    ],
    [
      'price per utility decides between instance types (0.12 / 2 beats 0.1 / 1)',
      { change: 4, prices: [spot('us-west-2a', 0.1), spot('us-west-2a', 0.12, LARGE)] },
      { 'us-west-2a/c5.2xlarge': 2 },
    ],
    [
      'a wider tolerance lets a dearer pool into the cheap set',
      {
        change: 4,
        prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.14)],
        limits: { spreadTolerance: 0.5 },
      },
      { 'us-west-2a': 2, 'us-west-2b': 2 },
    ],
    [
      'zero tolerance: only equal prices spread',
      {
        change: 4,
        prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.1), spot('us-west-2c', 0.101)],
        limits: { spreadTolerance: 0 },
      },
      { 'us-west-2a': 2, 'us-west-2b': 2 },
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(launchCounts(plan(input))).toEqual(expected);
  });

  it('allocates one instance at a time to the least loaded pool, ties to the cheaper one', () => {
    const result = plan({
      change: 4,
      prices: [spot('us-west-2b', 0.105), spot('us-west-2a', 0.1)],
    });
    expect(result.launches.map((l) => l.zone)).toEqual([
      'us-west-2a',
      'us-west-2b',
      'us-west-2a',
      'us-west-2b',
    ]);
  });

  it('ties of load and price go to the pool whose name sorts first', () => {
    const result = plan({
      change: 1,
      prices: [spot('us-west-2c', 0.1), spot('us-west-2b', 0.1)],
    });
    expect(result.launches.map((l) => l.zone)).toEqual(['us-west-2b']);
  });

  it('uses pools outside the cheap set once the cheap set is used up by limits', () => {
    const result = plan({
      change: 3,
      prices: [spot('us-west-2a', 0.1), spot('us-east-1a', 0.3)],
      limits: { maxLaunchesPerRegion: 1 },
    });
    expect(launchCounts(result)).toEqual({ 'us-west-2a': 1, 'us-east-1a': 1 });
    expect(record(result, 'us-west-2a', SMALL)).toMatchObject({ launches: 1, excluded: 'quota' });
    expect(result.unmet).toMatchObject({ capacity: 1, reasons: ['on-demand-not-allowed', 'quota'] });
  });
});

describe('selectOffers: exclusions', () => {
  it('excludes spot offers over maxPrice per utility', () => {
    const result = plan({
      change: 2,
      definition: { maxPrice: 0.2 },
      prices: [spot('us-west-2a', 0.25), spot('us-west-2b', 0.38, LARGE)],
    });
    expect(launchCounts(result)).toEqual({ 'us-west-2b/c5.2xlarge': 1 });
    expect(record(result, 'us-west-2a', SMALL)).toMatchObject({ excluded: 'over-max-price', rank: null });
  });

  const failure = { region: 'us-west-2', zone: 'us-west-2a', instanceType: SMALL, reason: 'ICE' };
  it.each([
    ['in force', 'spot', 1_001, { 'us-west-2b': 2 }],
    ['expired', 'spot', 1_000, { 'us-west-2a': 2 }],
    ['of the other market', 'on-demand', 9e9, { 'us-west-2a': 2 }],
  ] as const)(
    'capacity failure %s: skipped only while in force, per market',
    (_name, market, until, expected) => {
      const result = plan({
        change: 2,
        prices: [spot('us-west-2a', 0.05), spot('us-west-2b', 0.1)],
        capacityFailures: [{ ...failure, market, until }],
      });
      expect(launchCounts(result)).toEqual(expected);
      const excluded = market === 'spot' && until > 1_000;
      expect(record(result, 'us-west-2a', SMALL)?.detail).toBe(excluded ? 'ICE' : null);
    },
  );

  // baseDefinition's maxPrice 0.5 gives a max price of 0.5 (no on-demand price known).
  it.each([
    ['another worker type refused at a lower max price: this one still tries', 0.11, { 'us-west-2a': 2 }],
    ['refused at this max price: skipped', 0.5, { 'us-west-2b': 2 }],
  ] as const)('a price-too-low failure, %s', (_name, refusedMaxPrice, expected) => {
    const result = plan({
      change: 2,
      prices: [spot('us-west-2a', 0.05), spot('us-west-2b', 0.1)],
      capacityFailures: [
        { ...failure, reason: 'SpotMaxPriceTooLow', market: 'spot', until: 9e9, refusedMaxPrice },
      ],
    });
    expect(launchCounts(result)).toEqual(expected);
  });

  const GPU = 'g4dn.xlarge';
  it.each([
    // A vCPU quota covers its group of families in the region: c5.2xlarge too, not the GPU type.
    ['quota-group', { 'us-west-2a/g4dn.xlarge': 1 }, [SMALL, SMALL, LARGE]],
    // A per-type quota covers that type in every zone of the region, not the other types.
    ['instance-type', { 'us-west-2b/c5.2xlarge': 1 }, [SMALL, SMALL]],
  ] as const)('a %s quota refusal skips the pools under that quota only', (quota, launched, skipped) => {
    const result = plan({
      change: 1,
      definition: {
        instanceTypes: [...baseDefinition.instanceTypes, instanceType(GPU, { utility: 0.5 })],
      },
      prices: [
        price('us-west-2a', SMALL, 0.05, 0.17),
        spot('us-west-2b', 0.06),
        spot('us-west-2b', 0.14, LARGE),
        spot('us-west-2a', 0.1, GPU),
        spot('us-east-1a', 0.5, LARGE),
      ],
      capacityFailures: [{ ...failure, reason: 'VcpuLimitExceeded', market: 'spot', until: 9e9, quota }],
    });
    expect(launchCounts(result)).toEqual(launched);
    const excluded = result.candidates.filter((c) => c.excluded === 'capacity-failure');
    expect(excluded.map((c) => c.instanceType).sort()).toEqual([...skipped].sort());
    // Only the refused market of the refused region.
    expect(excluded.every((c) => c.market === 'spot' && c.region === 'us-west-2')).toBe(true);
    expect(excluded.every((c) => c.detail === 'VcpuLimitExceeded')).toBe(true);
  });

  it('keeps to configured zones in regions that have them, any zone elsewhere', () => {
    const result = plan({
      change: 3,
      definition: { availabilityZones: [zone('us-west-2', 'us-west-2b')] },
      prices: [spot('us-west-2a', 0.1), spot('us-west-2b', 0.11), spot('us-east-1c', 0.115)],
    });
    expect(launchCounts(result)).toEqual({ 'us-west-2b': 2, 'us-east-1c': 1 });
    expect(record(result, 'us-west-2a', SMALL)?.excluded).toBe('zone-not-allowed');
  });

  it('records pools without a spot price as no-price and ignores foreign regions and types', () => {
    const result = plan({
      prices: [
        price('us-west-2a', SMALL, undefined),
        spot('eu-west-1a', 0.01),
        price('us-west-2a', 'x1.big', 0.01),
      ],
    });
    expect(result.candidates.map((c) => [c.zone, c.instanceType, c.market, c.excluded])).toEqual([
      ['us-west-2a', SMALL, 'spot', 'no-price'],
      ['us-west-2a', SMALL, 'on-demand', 'on-demand-not-allowed'],
    ]);
    expect(result.unmet).toMatchObject({ capacity: 1, reasons: ['on-demand-not-allowed', 'no-price'] });
  });

  it('takes a price that is not a finite number ≥ 0 as no price: NaN passes every limit, money caps too', () => {
    const result = plan({
      change: 3,
      remainingHourlyBudget: 0.01,
      prices: [price('us-west-2a', SMALL, Number.NaN), price('us-west-2b', SMALL, Number.POSITIVE_INFINITY)],
    });
    expect(result.launches).toEqual([]);
    expect(record(result, 'us-west-2a', SMALL)?.excluded).toBe('no-price');
    expect(record(result, 'us-west-2b', SMALL)?.excluded).toBe('no-price');
    expect(result.plannedHourlySpend).toBe(0);
  });

  it('says no-candidates when there is nothing at all to choose from', () => {
    expect(plan({ change: 2 }).unmet).toEqual({
      capacity: 2,
      reasons: ['no-candidates'],
      message: '2 capacity units unmet: no-candidates',
    });
  });

  it('plans nothing and reports nothing unmet for a change of zero or less', () => {
    for (const change of [0, -3]) {
      const result = plan({ change, prices: [spot('us-west-2a', 0.1)] });
      expect(result).toMatchObject({ launches: [], plannedCapacity: 0, unmet: null });
      expect(result.candidates).toHaveLength(2);
    }
  });
});

describe('selectOffers: on-demand fallback', () => {
  const spotAndOnDemand = [price('us-west-2a', SMALL, 0.1, 0.17), price('us-west-2b', SMALL, 0.1, 0.17)];
  const allCapacityFailed = ['us-west-2a', 'us-west-2b'].map((zoneName) => ({
    region: 'us-west-2',
    zone: zoneName,
    instanceType: SMALL,
    market: 'spot' as const,
    until: 2_000,
    reason: 'InsufficientInstanceCapacity',
  }));
  const cases: [string, PlanOverrides][] = [
    ['spot not allowed', { definition: { canUseSpot: false } }],
    ['no spot offer within maxPrice', { definition: { maxPrice: 0.05 } }],
    ['every spot pool failed for capacity', { capacityFailures: allCapacityFailed }],
  ];

  it.each(cases)('launches on-demand when %s, spread over the zones', (_name, input) => {
    const result = plan({
      change: 2,
      prices: spotAndOnDemand,
      ...input,
      definition: { ...input.definition, canUseOndemand: true },
    });
    expect(launchCounts(result)).toEqual({
      'od:us-west-2a': 1,
      'od:us-west-2b': 1,
    });
    expect(result.launches.every((l) => l.maxPrice === null && l.price === 0.17)).toBe(true);
    expect(result.unmet).toBeNull();
  });

  it.each(cases)('never launches on-demand when %s but canUseOndemand is false', (_name, input) => {
    const result = plan({
      change: 2,
      prices: spotAndOnDemand,
      ...input,
      definition: { ...input.definition, canUseOndemand: false },
    });
    expect(result.launches).toEqual([]);
    expect(result.unmet?.reasons).toContain('on-demand-not-allowed');
    expect(result.candidates.filter((c) => c.market === 'on-demand').map((c) => c.excluded)).toEqual([
      'on-demand-not-allowed',
      'on-demand-not-allowed',
    ]);
  });

  it('tops up with on-demand when spot is used up by the region limit', () => {
    const result = plan({
      change: 3,
      definition: { canUseOndemand: true },
      prices: [price('us-east-1a', SMALL, 0.1, 0.17), price('us-west-2a', SMALL, undefined, 0.2)],
      limits: { regionLaunchesUsed: { 'us-east-1': 199 } },
    });
    expect(result.launches.map((l) => `${l.market}:${l.zone}`)).toEqual([
      'spot:us-east-1a',
      'on-demand:us-west-2a',
      'on-demand:us-west-2a',
    ]);
  });

  it('is not used while spot covers the change', () => {
    const result = plan({ change: 2, definition: { canUseOndemand: true }, prices: spotAndOnDemand });
    expect(result.launches.every((l) => l.market === 'spot')).toBe(true);
    expect(record(result, 'us-west-2a', SMALL, 'on-demand')).toMatchObject({
      launches: 0,
      excluded: null,
      rank: 3,
    });
  });

  it('may exceed maxPrice unless onDemandRespectsMaxPrice is set', () => {
    const input = {
      change: 1,
      definition: { canUseOndemand: true, maxPrice: 0.05 },
      prices: [price('us-west-2a', SMALL, 0.1, 0.17)],
    };
    expect(launchCounts(plan(input))).toEqual({ 'od:us-west-2a': 1 });
    const respecting = plan({ ...input, limits: { onDemandRespectsMaxPrice: true } });
    expect(respecting.launches).toEqual([]);
    expect(respecting.unmet?.reasons).toEqual(['over-max-price']);
  });
});

describe('selectOffers: max price submitted for spot', () => {
  const cases: [string, PlanOverrides, number | null][] = [
    ['maxPrice × utility when below on-demand', { definition: { maxPrice: 0.12 } }, 0.12],
    ['capped at the on-demand price', { definition: { maxPrice: 0.5 } }, 0.17],
    ['no on-demand data: maxPrice × utility', { prices: [spot('us-west-2a', 0.1)] }, 0.5],
    ['never below minPrice × utility', { definition: { maxPrice: 0.11, minPrice: 0.15 } }, 0.15],
    [
      'the on-demand cap wins over the minPrice floor',
      { definition: { maxPrice: 0.11, minPrice: 0.3 } },
      0.17,
    ],
    [
      'capped at the sanity cap',
      { definition: { maxPrice: 30 }, prices: [price('us-west-2a', SMALL, 2, 40)] },
      10,
    ],
    ['a lower sanity cap', { limits: { sanityCapPerInstanceHour: 0.13 } }, 0.13],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    const result = plan({ prices: [price('us-west-2a', SMALL, 0.1, 0.17)], ...input });
    expect(result.launches.map((l) => l.maxPrice)).toEqual([expected]);
  });

  it('multiplies by utility: maxPrice is per utility, the max price per instance', () => {
    const result = plan({ definition: { maxPrice: 0.1 }, prices: [price('us-west-2a', LARGE, 0.15, 0.34)] });
    expect(result.launches).toEqual([
      {
        region: 'us-west-2',
        zone: 'us-west-2a',
        instanceType: LARGE,
        market: 'spot',
        maxPrice: 0.2,
        price: 0.15,
        pricePerUtility: 0.075,
        capacity: 2,
        utility: 2,
      },
    ]);
    expect(toLaunchOffer(result.launches[0] ?? expect.unreachable())).toEqual({
      region: 'us-west-2',
      zone: 'us-west-2a',
      instanceType: LARGE,
      spotBid: 0.2,
      price: 0.075,
    });
  });

  const excluded: [string, PlanOverrides, string, string][] = [
    ['spot above on-demand', { prices: [price('us-west-2a', SMALL, 0.2, 0.17)] }, 'spot', 'above-on-demand'],
    [
      'spot above the sanity cap',
      { definition: { maxPrice: 30 }, prices: [spot('us-west-2a', 11)] },
      'spot',
      'sanity-cap',
    ],
    [
      'on-demand above the sanity cap',
      {
        definition: { canUseSpot: false, canUseOndemand: true },
        prices: [price('us-west-2a', SMALL, undefined, 12)],
      },
      'on-demand',
      'sanity-cap',
    ],
  ];

  it.each(excluded)('excludes %s', (_name, input, market, reason) => {
    const result = plan(input);
    expect(result.launches).toEqual([]);
    expect(record(result, 'us-west-2a', SMALL, market)?.excluded).toBe(reason);
  });
});

describe('selectOffers: money caps and limits', () => {
  const prices = [spot('us-west-2a', 0.1), spot('us-west-2b', 0.1)];
  const cases: [string, PlanOverrides, number, string[]][] = [
    [
      'maxHourlySpend counts the current spend',
      { definition: { maxHourlySpend: 0.35 }, currentHourlySpend: 0.1 },
      2,
      ['budget'],
    ],
    ['maxHourlySpend allows an exact fit', { definition: { maxHourlySpend: 0.3 } }, 3, ['budget']],
    ['the provisioner-wide remaining budget', { remainingHourlyBudget: 0.25 }, 2, ['budget']],
    [
      'the tighter of both caps',
      { definition: { maxHourlySpend: 1 }, remainingHourlyBudget: 0.15 },
      1,
      ['budget'],
    ],
    ['launches per region', { limits: { maxLaunchesPerRegion: 2 } }, 2, ['quota']],
    [
      'launches other worker types planned in the region',
      { limits: { regionLaunchesUsed: { 'us-west-2': 197 } } },
      3,
      ['quota'],
    ],
    ['no cap', {}, 5, []],
  ];

  it.each(cases)('%s', (_name, input, launches, reasons) => {
    const result = plan({ change: 5, prices, ...input });
    expect(result.launches).toHaveLength(launches);
    expect(result.plannedHourlySpend).toBeCloseTo(launches * 0.1, 9);
    expect(result.unmet?.reasons.filter((r) => r !== 'on-demand-not-allowed') ?? []).toEqual(reasons);
  });

  it('a pool too dear for the budget is skipped while a cheaper instance still fits', () => {
    const result = plan({
      change: 3,
      definition: { maxHourlySpend: 0.2 },
      prices: [spot('us-west-2a', 0.18, LARGE), spot('us-west-2b', 0.1)],
    });
    expect(launchCounts(result)).toEqual({ 'us-west-2a/c5.2xlarge': 1 });
    expect(record(result, 'us-west-2b', SMALL)).toMatchObject({ launches: 0, excluded: 'budget' });
  });

  it.each([
    [3, 2, 4],
    [4, 2, 4],
    [1, 1, 2],
  ])(
    'change %d with capacity 2: %d launches covering %d (the last may overshoot)',
    (change, count, capacity) => {
      const result = plan({ change, prices: [spot('us-west-2a', 0.1, LARGE)] });
      expect(result).toMatchObject({ plannedCapacity: capacity, unmet: null });
      expect(result.launches).toHaveLength(count);
    },
  );
});

describe('selectOffers: determinism and the decision record', () => {
  const input: PlanOverrides = {
    change: 7,
    definition: { canUseOndemand: true, availabilityZones: [zone('us-east-1', 'us-east-1a')] },
    prices: [
      price('us-west-2a', SMALL, 0.1, 0.17),
      price('us-west-2b', SMALL, 0.104, 0.17),
      price('us-west-2c', LARGE, 0.19, 0.34),
      price('us-east-1a', SMALL, 0.6, 0.17),
      price('us-east-1b', SMALL, 0.09, 0.17),
    ],
    existingCapacity: [held('us-west-2b', 1)],
  };

  it('gives the same plan for the same input, whatever the order of the observations', () => {
    const first = plan(input);
    expect(plan(input)).toEqual(first);
    expect(plan({ ...input, prices: [...(input.prices ?? [])].reverse() })).toEqual(first);
  });

  it('ranks every usable candidate, spot before on-demand, and says why the others were excluded', () => {
    const result = plan(input);
    expect(result.candidates.map((c) => [c.market, c.zone, c.rank, c.launches, c.excluded])).toEqual([
      ['spot', 'us-west-2c', 1, 2, null],
      ['spot', 'us-west-2a', 2, 2, null],
      ['spot', 'us-west-2b', 3, 1, null],
      ['on-demand', 'us-east-1a', 4, 0, null],
      ['on-demand', 'us-west-2a', 5, 0, null],
      ['on-demand', 'us-west-2b', 6, 0, null],
      ['on-demand', 'us-west-2c', 7, 0, null],
      ['spot', 'us-east-1b', null, 0, 'zone-not-allowed'],
      ['spot', 'us-east-1a', null, 0, 'over-max-price'],
      ['on-demand', 'us-east-1b', null, 0, 'zone-not-allowed'],
    ]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});
