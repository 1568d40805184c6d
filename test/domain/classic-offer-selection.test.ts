import { describe, expect, it } from 'vitest';
import { isAllowedCombo, selectOffersClassic } from '../../src/domain/classic-offer-selection.js';
import type { OfferPlan, OfferSelectionInput, PriceObservation } from '../../src/domain/offers.js';
import type { WorkerTypeDefinition } from '../../src/domain/worker-type.js';
import { definition, instanceType, region, zone } from './definition-fixture.js';

/** mulberry32: a small seeded generator, so "random" draws are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws the given values in turn (then keeps returning the last one). */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)] ?? 0;
}

function recent(regionName: string, zoneName: string, type: string, recentMax: number, spot?: number) {
  const observation: PriceObservation = {
    region: regionName,
    zone: zoneName,
    instanceType: type,
    recentMaxSpotPrice: recentMax,
  };
  if (spot !== undefined) observation.spotPrice = spot;
  return observation;
}

type Overrides = Partial<Omit<OfferSelectionInput, 'definition'>> & {
  definition?: Partial<WorkerTypeDefinition>;
};

function classic(base: WorkerTypeDefinition, overrides: Overrides, random: () => number): OfferPlan {
  const { definition: definitionOverrides, ...rest } = overrides;
  return selectOffersClassic(
    {
      workerType: 'builder',
      definition: { ...base, ...definitionOverrides },
      change: 1,
      prices: [],
      now: 0,
      ...rest,
    },
    random,
  );
}

/** The original's unit-test fixture (`fakePricing`): prices per region, type and zone. */
const appendixDefinition = definition({
  maxPrice: 6,
  regions: [region('region1'), region('region2'), region('region3')],
  instanceTypes: [
    instanceType('type1', { capacity: 1, utility: 1 }),
    instanceType('type2', { capacity: 2, utility: 2 }),
  ],
});
const fakePricing = [
  recent('region1', 'zone1', 'type1', 5),
  recent('region1', 'zone2', 'type1', 6),
  recent('region1', 'zone2', 'type2', 3),
  recent('region2', 'zone3', 'type2', 2),
];
/** The original passed its managed regions; here prices come for the allowed regions only. */
const pricingIn = (...regions: string[]) => fakePricing.filter((p) => regions.includes(p.region));

describe('selectOffersClassic: Appendix 2 bidding cases', () => {
  const draws = [0, 0.3, 0.6, 0.99];

  it.each(draws)('minPrice is the lower bound (draw %d): region2/type2/zone3 at 4, truePrice 1', (draw) => {
    const result = classic(
      appendixDefinition,
      { definition: { minPrice: 8, maxPrice: 10 }, prices: pricingIn('region2') },
      sequence(draw),
    );
    expect(
      result.launches.map(({ region, instanceType, zone, maxPrice, pricePerUtility }) => ({
        region,
        type: instanceType,
        zone,
        price: maxPrice,
        truePrice: pricePerUtility,
      })),
    ).toEqual([{ region: 'region2', type: 'type2', zone: 'zone3', price: 4, truePrice: 1 }]);
  });

  it.each(draws)('maxPrice 0.1 gives no bid (draw %d)', (draw) => {
    const result = classic(
      appendixDefinition,
      { definition: { maxPrice: 0.1 }, prices: pricingIn('region1', 'region2') },
      sequence(draw),
    );
    expect(result.launches).toEqual([]);
    expect(result.unmet?.reasons).toContain('over-max-price');
  });

  it('a bid over $10 discards everything (1000 with maxPrice 100000)', () => {
    const result = classic(
      appendixDefinition,
      { definition: { maxPrice: 100000 }, prices: [recent('region1', 'zone1', 'type1', 1000)] },
      sequence(0),
    );
    expect(result.launches).toEqual([]);
    expect(result.unmet).toMatchObject({ capacity: 1, reasons: ['sanity-cap'] });
  });
});

describe('selectOffersClassic: the draw', () => {
  const base = definition({
    maxPrice: 1,
    regions: [region('us-west-2'), region('us-east-1')],
    instanceTypes: [instanceType('c5.xlarge'), instanceType('c5.2xlarge', { capacity: 2, utility: 2 })],
  });
  // Bids: ceil(2 × recent max × 10^6) / 10^6, worked out by hand.
  const pools: [PriceObservation, number][] = [
    [recent('us-west-2', 'us-west-2a', 'c5.xlarge', 0.0123456, 0.01), 0.024692],
    [recent('us-west-2', 'us-west-2b', 'c5.xlarge', 0.1), 0.2],
    [recent('us-west-2', 'us-west-2a', 'c5.2xlarge', 0.3333333), 0.666667],
    [recent('us-east-1', 'us-east-1a', 'c5.xlarge', 0.07), 0.14],
  ];

  it('picks every candidate uniformly over many seeded draws, each at the formula bid', () => {
    const result = classic(
      base,
      { change: 4000, prices: pools.map(([p]) => p), limits: { maxLaunchesPerRegion: 10_000 } },
      seeded(42),
    );
    const counts = new Map<string, number>();
    for (const launch of result.launches) {
      const [, bid] =
        pools.find(([p]) => p.zone === launch.zone && p.instanceType === launch.instanceType) ?? [];
      expect(launch.maxPrice).toBe(bid);
      counts.set(
        `${launch.zone}/${launch.instanceType}`,
        (counts.get(`${launch.zone}/${launch.instanceType}`) ?? 0) + 1,
      );
    }
    expect(counts.size).toBe(4);
    const draws = result.launches.length;
    for (const count of counts.values()) expect(count / draws).toBeGreaterThan(0.2);
    for (const count of counts.values()) expect(count / draws).toBeLessThan(0.3);
    expect(result.plannedCapacity).toBeGreaterThanOrEqual(4000);
    expect(result.plannedCapacity - 4000).toBeLessThan(2);
  });

  it('draws with floor(random × candidates), candidates in definition then observation order', () => {
    const prices = [pools[3]?.[0], pools[1]?.[0], pools[0]?.[0], pools[2]?.[0]] as PriceObservation[];
    const result = classic(base, { change: 4, prices }, sequence(0.99, 0.74, 0.26, 0));
    expect(result.launches.map((l) => `${l.zone}/${l.instanceType}`)).toEqual([
      'us-east-1a/c5.xlarge',
      'us-west-2a/c5.2xlarge',
      'us-west-2a/c5.xlarge',
    ]);
  });

  it('bids ceil(minPrice ÷ utility) when the price per utility is under minPrice, even below 2 × spot', () => {
    const prices = [recent('us-west-2', 'us-west-2a', 'c5.2xlarge', 1)];
    const result = classic(base, { definition: { minPrice: 0.6 }, prices }, sequence(0));
    expect(result.launches).toMatchObject([
      { maxPrice: 0.3, pricePerUtility: 0.5, price: 1, market: 'spot' },
    ]);
  });

  it('stops at the first draw over maxPrice, keeping the bids made so far', () => {
    const prices = [
      recent('us-west-2', 'us-west-2a', 'c5.xlarge', 0.1),
      recent('us-west-2', 'us-west-2b', 'c5.xlarge', 2),
    ];
    const result = classic(base, { change: 5, prices }, sequence(0, 0, 0.9, 0));
    expect(result.launches.map((l) => l.zone)).toEqual(['us-west-2a', 'us-west-2a']);
    expect(result.unmet).toMatchObject({ capacity: 3, reasons: ['over-max-price'] });
    expect(result.unmet?.message).toContain('us-west-2/us-west-2b/c5.xlarge');
  });

  it('discards every bid once one is over the sanity cap', () => {
    const prices = [
      recent('us-west-2', 'us-west-2a', 'c5.xlarge', 0.1),
      recent('us-west-2', 'us-west-2b', 'c5.xlarge', 6),
    ];
    const result = classic(base, { change: 3, definition: { maxPrice: 7 }, prices }, sequence(0, 0.9));
    expect(result.launches).toEqual([]);
    expect(result.unmet).toMatchObject({ capacity: 3, reasons: ['sanity-cap'] });
  });

  it('takes a recent maximum that is not a finite number as no price', () => {
    const prices = [recent('us-west-2', 'us-west-2a', 'c5.xlarge', Number.NaN)];
    const result = classic(base, { change: 2, prices }, sequence(0));
    expect(result.launches).toEqual([]);
    // Not drawn and found over maxPrice (NaN compares false with it): never a candidate.
    expect(result.candidates.map((c) => c.excluded)).toEqual(['no-price']);
  });

  it('without candidates: Could not create any bid', () => {
    const result = classic(base, { change: 2, prices: [] }, sequence(0));
    expect(result.launches).toEqual([]);
    expect(result.unmet).toMatchObject({ capacity: 2, reasons: ['no-candidates'] });
    expect(result.unmet?.message).toMatch(/^Could not create any bid for builder/);
  });

  it('filters configured zones and disallowed combinations, and ignores canUseSpot/canUseOndemand', () => {
    const result = classic(
      definition({
        regions: [region('us-east-1'), region('eu-central-1')],
        instanceTypes: [instanceType('c5.xlarge'), instanceType('g2.2xlarge')],
      }),
      {
        change: 20,
        definition: {
          canUseSpot: false,
          canUseOndemand: true,
          availabilityZones: [zone('eu-central-1', 'eu-central-1c')],
        },
        prices: [
          recent('us-east-1', 'us-east-1e', 'c5.xlarge', 0.1),
          recent('us-east-1', 'us-east-1d', 'c5.xlarge', 0.1),
          recent('eu-central-1', 'eu-central-1a', 'c5.xlarge', 0.1),
          recent('eu-central-1', 'eu-central-1c', 'c5.xlarge', 0.1),
          recent('eu-central-1', 'eu-central-1c', 'g2.2xlarge', 0.1),
          { region: 'us-east-1', zone: 'us-east-1a', instanceType: 'c5.xlarge', onDemandPrice: 0.17 },
        ],
      },
      seeded(7),
    );
    expect(new Set(result.launches.map((l) => `${l.market}:${l.zone}/${l.instanceType}`))).toEqual(
      new Set(['spot:us-east-1d/c5.xlarge', 'spot:eu-central-1c/c5.xlarge']),
    );
    expect(result.candidates.map((c) => [c.zone, c.instanceType, c.excluded])).toEqual(
      expect.arrayContaining([
        ['us-east-1e', 'c5.xlarge', 'disallowed-combo'],
        ['eu-central-1a', 'c5.xlarge', 'zone-not-allowed'],
        ['eu-central-1c', 'g2.2xlarge', 'disallowed-combo'],
        ['us-east-1a', 'c5.xlarge', 'no-price'],
      ]),
    );
  });

  it('keeps the guard rails: launches per region and money caps drop drawn launches', () => {
    const prices = [recent('us-west-2', 'us-west-2a', 'c5.xlarge', 0.1)];
    const quota = classic(base, { change: 5, prices, limits: { maxLaunchesPerRegion: 2 } }, sequence(0));
    expect(quota.launches).toHaveLength(2);
    expect(quota.unmet).toMatchObject({ capacity: 3, reasons: ['quota'] });
    const budget = classic(base, { change: 5, prices, definition: { maxHourlySpend: 0.3 } }, sequence(0));
    expect(budget.launches).toHaveLength(3);
    expect(budget.plannedHourlySpend).toBeCloseTo(0.3, 9);
    expect(budget.unmet).toMatchObject({ capacity: 2, reasons: ['budget'] });
  });

  it('returns the same plan for the same seed', () => {
    const input: Overrides = { change: 30, prices: pools.map(([p]) => p) };
    expect(classic(base, input, seeded(3))).toEqual(classic(base, input, seeded(3)));
    expect(classic(base, input, seeded(3))).not.toEqual(classic(base, input, seeded(4)));
  });
});

describe('isAllowedCombo (the original hard-coded refusals)', () => {
  it.each([
    ['us-east-1b', 'r3.large', false],
    ['us-east-1f', 'm3.xlarge', false],
    ['us-east-1b', 'c3.2xlarge', false],
    ['us-east-1e', 'c5.large', false],
    ['eu-central-1c', 'g2.2xlarge', false],
    ['us-east-1a', 'r3.large', true],
    ['us-east-1e', 'c5d.large', true],
    ['us-east-1b', 'c5.large', true],
    ['eu-central-1b', 'g2.2xlarge', true],
  ])('%s %s → %s', (zoneName, type, expected) => {
    expect(isAllowedCombo(zoneName, type)).toBe(expected);
  });
});
