import { describe, expect, it } from 'vitest';
import { cheapestSteps, lowerBound, type OfferSeries, stepCost } from '../../bench/replay/lower-bound.js';
import { TaskTrace } from '../../src/simulator/load/task-trace.js';

const HOUR = 3_600_000;

/** An offer whose price steps at the given times. */
function offer(points: Array<[number, number]>, capacity = 1): OfferSeries {
  return {
    capacity,
    priceAt: (time) => {
      let price = points[0]?.[1] ?? Number.POSITIVE_INFINITY;
      for (const [at, value] of points) if (at <= time) price = value;
      return price;
    },
    changes: (from, to) => points.map(([at]) => at).filter((at) => at >= from && at <= to),
  };
}

describe('cheapestSteps', () => {
  it.each([
    {
      name: 'one offer',
      offers: [offer([[0, 0.04]])],
      expected: { times: [0], prices: [0.04] },
    },
    {
      name: 'the cheaper offer at each moment',
      offers: [
        offer([
          [0, 0.04],
          [2 * HOUR, 0.01],
        ]),
        offer([[0, 0.02]]),
      ],
      expected: { times: [0, 2 * HOUR], prices: [0.02, 0.01] },
    },
    {
      name: 'price per capacity unit',
      offers: [offer([[0, 0.05]], 2), offer([[0, 0.03]])],
      expected: { times: [0], prices: [0.025] },
    },
    {
      name: 'a change that leaves the minimum alone adds no step',
      offers: [
        offer([[0, 0.01]]),
        offer([
          [0, 0.05],
          [HOUR, 0.06],
        ]),
      ],
      expected: { times: [0], prices: [0.01] },
    },
  ])('$name', ({ offers, expected }) => {
    expect(cheapestSteps(offers, 0, 10 * HOUR)).toEqual(expected);
  });
});

describe('stepCost', () => {
  const steps = { times: [0, HOUR], prices: [0.02, 0.04] };
  it.each([
    { from: 0, to: HOUR, usd: 0.02 },
    { from: HOUR / 2, to: (3 * HOUR) / 2, usd: 0.01 + 0.02 },
    { from: 2 * HOUR, to: 3 * HOUR, usd: 0.04 },
    { from: HOUR, to: HOUR, usd: 0 },
  ])('[$from, $to) costs $usd', ({ from, to, usd }) => {
    expect(stepCost(steps, from, to)).toBeCloseTo(usd, 12);
  });
});

describe('lowerBound', () => {
  it('charges every task arriving before the limit its run at the cheapest price', () => {
    const trace = new TaskTrace(
      TaskTrace.encode([
        { arrivalMs: 0, durationMs: HOUR },
        { arrivalMs: HOUR / 2, durationMs: HOUR },
        { arrivalMs: 3 * HOUR, durationMs: HOUR },
      ]),
    );
    const steps = { times: [1000, 1000 + HOUR], prices: [0.02, 0.04] };
    expect(lowerBound(trace, steps, 1000, 2 * HOUR)).toEqual({
      usd: expect.closeTo(0.02 + (0.01 + 0.02), 12),
      taskHours: 2,
      tasks: 2,
    });
  });
});
