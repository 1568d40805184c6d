import { describe, expect, it } from 'vitest';
import type { CatalogData } from '../../src/catalog/catalog-types.js';
import { InstanceCatalog } from '../../src/catalog/instance-catalog.js';

const SMALL: CatalogData = {
  defaultRegionFactor: 1.2,
  regionFactors: { 'us-east-1': 1, 'eu-central-1': 1.174 },
  instanceTypes: [
    ['c5.large', 2, 4, 0.085],
    ['m5.large', 2, 8, 0.096],
    ['x9.odd', 4, 16, 1],
  ],
  spotAdvice: {
    'us-east-1': '60/1,55/4,',
    'eu-central-1': ',50/0,',
  },
};

describe('InstanceCatalog', () => {
  const catalog = new InstanceCatalog(SMALL);

  it.each([
    { region: 'us-east-1', type: 'c5.large', price: 0.085 },
    { region: 'eu-central-1', type: 'm5.large', price: 0.112704 },
    { region: 'sa-east-9', type: 'c5.large', price: 0.102 },
    { region: 'us-east-1', type: 'nope.large', price: undefined },
  ])('prices $type on demand in $region', ({ region, type, price }) => {
    expect(catalog.onDemandPrice(region, type)).toBe(price);
  });

  it('decodes spot advice aligned with the type list', () => {
    expect(catalog.spotAdvice('us-east-1', 'c5.large')).toEqual({ savingsPct: 60, interruptionBucket: 1 });
    expect(catalog.spotAdvice('us-east-1', 'm5.large')).toEqual({ savingsPct: 55, interruptionBucket: 4 });
    expect(catalog.isOffered('us-east-1', 'x9.odd')).toBe(false);
    expect(catalog.isOffered('eu-central-1', 'c5.large')).toBe(false);
    // Regions without advisor data borrow us-east-1's.
    expect(catalog.spotAdvice('xx-west-1', 'c5.large')?.savingsPct).toBe(60);
  });

  it('turns buckets into interruption hazards that grow with the bucket', () => {
    const low = catalog.interruptionRatePerMs('us-east-1', 'c5.large');
    const high = catalog.interruptionRatePerMs('us-east-1', 'm5.large');
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(low);
    // Bucket 4 (>20 %/month): about a quarter of instances interrupted within 30 days.
    expect(1 - Math.exp(-high * 30 * 24 * 3600_000)).toBeCloseTo(0.25, 5);
    expect(catalog.interruptionRatePerMs('us-east-1', 'x9.odd')).toBe(0);
  });

  it('ships a real generated catalog', () => {
    const real = new InstanceCatalog();
    expect(real.instanceType('c5.large')).toEqual({
      name: 'c5.large',
      vcpu: 2,
      memoryGib: 4,
      onDemandUsEast1: 0.085,
    });
    expect(real.instanceTypeNames().length).toBeGreaterThan(500);
    for (const region of ['us-west-1', 'us-west-2', 'us-east-1', 'us-east-2', 'eu-central-1']) {
      expect(real.isOffered(region, 'm5.large')).toBe(true);
      expect(real.regions()).toContain(region);
    }
    expect(real.regionFactor('us-west-1')).toBeGreaterThan(1);
  });
});
