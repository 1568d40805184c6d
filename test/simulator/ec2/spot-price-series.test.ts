import { describe, expect, it } from 'vitest';
import {
  ModelPriceSeries,
  RecordedPriceSeries,
  roundSpotPrice,
  windowOf,
} from '../../../src/simulator/ec2/spot-price-series.js';
import { SpotPriceTrace } from '../../../src/simulator/ec2/spot-price-trace.js';

const HOUR = 3600_000;
const START = Date.UTC(2024, 0, 1);
const PARAMS = {
  mean: 0.04,
  ceiling: 0.085,
  stepMs: HOUR,
  volatility: 0.1,
  reversion: 0.2,
  changeProbability: 0.8,
};

describe('spot price series', () => {
  it('is the same whenever and however often it is read', () => {
    const eager = new ModelPriceSeries(PARAMS, 'seed', START);
    const lazy = new ModelPriceSeries(PARAMS, 'seed', START);
    for (let t = START; t <= START + 48 * HOUR; t += HOUR / 4) eager.priceAt(t);
    expect(lazy.history(START - 4 * HOUR, START + 48 * HOUR)).toEqual(
      eager.history(START - 4 * HOUR, START + 48 * HOUR),
    );
  });

  it('moves around its mean, never above the ceiling, in whole seconds', () => {
    const series = new ModelPriceSeries(PARAMS, 'walk', START);
    const points = series.history(START, START + 500 * HOUR);
    expect(points.length).toBeGreaterThan(100);
    const prices = points.map((point) => point.price);
    expect(Math.max(...prices)).toBeLessThanOrEqual(PARAMS.ceiling);
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(PARAMS.mean * 0.2);
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    expect(mean).toBeGreaterThan(PARAMS.mean * 0.7);
    expect(mean).toBeLessThan(PARAMS.mean * 1.4);
    for (const point of points) expect(point.time % 1000).toBe(0);
    for (let i = 1; i < points.length; i++) expect(points[i]?.price).not.toBe(points[i - 1]?.price);
  });

  it('includes the point in effect at the start of a window', () => {
    const points = [
      { time: 100, price: 1 },
      { time: 200, price: 2 },
      { time: 300, price: 3 },
    ];
    expect(windowOf(points, 150, 250)).toEqual([points[0], points[1]]);
    expect(windowOf(points, 200, 200)).toEqual([points[1]]);
    expect(windowOf(points, 50, 60)).toEqual([]);
    expect(windowOf(points, 50, 150)).toEqual([points[0]]);
    const recorded = new RecordedPriceSeries(points);
    expect([recorded.priceAt(50), recorded.priceAt(250), recorded.priceAt(1000)]).toEqual([1, 2, 3]);
  });

  it.each([
    [0.031349, 0.03135],
    [0.0016, 0.0016],
    [1.234567, 1.235],
  ])('rounds %f to %f', (price, rounded) => {
    expect(roundSpotPrice(price)).toBe(rounded);
  });
});

describe('SpotPriceTrace', () => {
  it('parses SpotLake rows, keeps only price changes and moves them to the world start', () => {
    const trace = SpotPriceTrace.parse(
      [
        'Time,InstanceType,Region,AZ,SPS,IF,OndemandPrice,SpotPrice,Savings',
        '2024-01-01 01:00:00,m5.large,eu-west-1,euw1-az1,3,3.0,0.107,0.0400,63',
        '2024-01-01 00:00:00,m5.large,eu-west-1,euw1-az1,3,3.0,0.107,0.0400,63',
        '2024-01-01 02:00:00,m5.large,eu-west-1,euw1-az1,3,3.0,0.107,0.0450,58',
        'garbage line',
      ].join('\n'),
    );
    expect(trace.seriesCount).toBe(1);
    expect(trace.firstTime).toBe(START);
    const series = trace.seriesFor('eu-west-1', 'euw1-az1', 'm5.large', START + 10 * HOUR);
    expect(series?.history(0, Number.MAX_SAFE_INTEGER)).toEqual([
      { time: START + 10 * HOUR, price: 0.04 },
      { time: START + 12 * HOUR, price: 0.045 },
    ]);
    expect(trace.seriesFor('eu-west-1', 'euw1-az2', 'm5.large', START)).toBeUndefined();
    expect(() => SpotPriceTrace.parse('Time,Region\n')).toThrow('missing column');
  });
});
