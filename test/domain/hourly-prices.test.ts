import { describe, expect, it } from 'vitest';
import { hourlyPrices, type Market, type PriceObservation } from '../../src/domain/offers.js';

const observed: PriceObservation[] = [
  {
    region: 'us-west-2',
    zone: 'us-west-2a',
    instanceType: 'c5.large',
    spotPrice: 0.03,
    onDemandPrice: 0.085,
  },
  { region: 'us-west-2', zone: 'us-west-2b', instanceType: 'c5.large', onDemandPrice: 0.085 },
  { region: 'us-west-2', zone: 'us-west-2a', instanceType: 'm5.large', spotPrice: 0.04 },
  {
    region: 'us-east-1',
    zone: 'us-east-1a',
    instanceType: 'c5.large',
    spotPrice: 0.02,
    onDemandPrice: 0.085,
  },
];

describe('hourly prices of a pool', () => {
  const price = hourlyPrices(observed);
  it.each<[string, string, string, Market, number | undefined]>([
    ['spot price of a spot instance', 'us-west-2a', 'c5.large', 'spot', 0.03],
    ['on-demand price of an on-demand instance', 'us-west-2a', 'c5.large', 'on-demand', 0.085],
    ['on-demand price when the pool has no spot price', 'us-west-2b', 'c5.large', 'spot', 0.085],
    ['nothing when the pool has neither', 'us-west-2a', 'm5.large', 'on-demand', undefined],
    ['nothing for a zone not observed', 'us-west-2c', 'c5.large', 'spot', undefined],
    ['nothing for a type not observed', 'us-west-2a', 't3.medium', 'spot', undefined],
  ])('%s', (_, zone, instanceType, market, expected) => {
    expect(price({ region: 'us-west-2', zone, instanceType }, market)).toBe(expected);
  });

  it('keeps regions apart', () => {
    expect(price({ region: 'us-east-1', zone: 'us-east-1a', instanceType: 'c5.large' }, 'spot')).toBe(0.02);
    expect(
      price({ region: 'us-east-1', zone: 'us-west-2a', instanceType: 'c5.large' }, 'spot'),
    ).toBeUndefined();
  });
});
