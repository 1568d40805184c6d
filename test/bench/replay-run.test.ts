import { describe, expect, it } from 'vitest';
import { cheapestSteps, lowerBound } from '../../bench/replay/lower-bound.js';
import { marketOffers } from '../../bench/replay/market-offers.js';
import { DEFAULT_UTILITIES, replayDefinition, SPOTLAKE_TYPES } from '../../bench/replay/replay-definition.js';
import { REPLAY_START, runStrategy } from '../../bench/replay/replay-run.js';
import { replayRegions } from '../../bench/replay/replay-world.js';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { Ec2World } from '../../src/simulator/ec2/ec2-world.js';
import { SpotPriceTrace } from '../../src/simulator/ec2/spot-price-trace.js';
import { TaskTrace } from '../../src/simulator/load/task-trace.js';

const MINUTE = 60_000;

/** Flat prices in two zones of us-west-2; t3.medium in usw2-az2 is the cheapest. */
function prices(): SpotPriceTrace {
  const rows = ['usw2-az1', 'usw2-az2'].flatMap((zoneId) =>
    SPOTLAKE_TYPES.map((instanceType) => ({
      time: REPLAY_START,
      instanceType,
      region: 'us-west-2',
      zoneId,
      price: instanceType === 't3.medium' && zoneId === 'usw2-az2' ? 0.01 : 0.03,
    })),
  );
  return new SpotPriceTrace(rows);
}

describe('a trace replay through the real loop', () => {
  it('runs every task, pays at least the lower bound, and reports what it did', async () => {
    const trace = new TaskTrace(
      TaskTrace.encode([
        { arrivalMs: 0, durationMs: 2 * MINUTE },
        { arrivalMs: 0, durationMs: 3 * MINUTE },
        { arrivalMs: 90_000, durationMs: 2 * MINUTE },
      ]),
    );
    const regions = ['us-west-2'];
    const definition = replayDefinition({
      regions,
      utilities: DEFAULT_UTILITIES,
      maxPrice: 0.1,
      maxCapacity: 10,
      scalingRatio: 0,
      // The worker type's setting, which overrides the workers' own hour below.
      afterIdleSeconds: 60,
    });
    const priceTrace = prices();
    const result = await runStrategy({
      strategy: 'default',
      seed: 1,
      regions,
      definition,
      prices: priceTrace,
      trace,
      tracePath: 'synthetic.dat',
      durationMs: 10 * MINUTE,
      drainMs: 30 * MINUTE,
      idleTimeoutMs: 60 * MINUTE,
      checkIn: true,
    });
    expect(result.tasks).toMatchObject({ created: 3, completed: 3, pending: 0, running: 0 });
    expect(result.decisions.launchesByType).toEqual({ 't3.medium spot': expect.any(Number) });
    expect(result.instancesLaunched).toBeGreaterThanOrEqual(2);
    expect(result.wait.count).toBe(3);
    expect(result.checkIns).toEqual({ recorded: expect.any(Number), failed: 0 });
    expect(result.checkIns.recorded).toBeGreaterThanOrEqual(1);
    expect(result.ec2.byAction.RunInstances?.calls).toBe(result.instancesLaunched);
    expect(result.timeline.some((point) => point.pendingTasks + point.runningTasks > 0)).toBe(true);
    // Drained within 30 minutes: the last sample has no work and no fleet left.
    expect(result.timeline.at(-1)).toMatchObject({ pendingTasks: 0, runningTasks: 0, runningInstances: 0 });
    const ec2 = new Ec2World({
      clock: new VirtualClock(REPLAY_START),
      scenario: { regions: replayRegions(priceTrace, regions) },
      priceTrace,
    });
    const steps = cheapestSteps(marketOffers(ec2, definition), REPLAY_START, REPLAY_START + 20 * MINUTE);
    const bound = lowerBound(trace, steps, REPLAY_START, 10 * MINUTE);
    expect(bound.usd).toBeCloseTo((7 / 60) * 0.01, 9);
    expect(result.costUsd).toBeGreaterThan(bound.usd);
  }, 60_000);
});
