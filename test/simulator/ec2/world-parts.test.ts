import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock/virtual-clock.js';
import { EventLog } from '../../../src/simulator/ec2/event-log.js';
import { RequestThrottle, TokenBucket } from '../../../src/simulator/ec2/request-throttle.js';
import { defaultZones, regionAbbreviation, resolveScenario } from '../../../src/simulator/ec2/scenario.js';
import { setLongTimer } from '../../../src/simulator/ec2/world-context.js';

describe('scenario', () => {
  it.each([
    ['us-east-1', 'use1'],
    ['us-west-2', 'usw2'],
    ['eu-central-1', 'euc1'],
    ['ap-northeast-2', 'apne2'],
    ['ap-southeast-1', 'apse1'],
    ['ca-central-1', 'cac1'],
    ['sa-east-1', 'sae1'],
  ])('abbreviates %s as %s', (region, abbreviation) => {
    expect(regionAbbreviation(region)).toBe(abbreviation);
  });

  it('gives real-looking zones and a complete default scenario', () => {
    expect(defaultZones('us-west-1')).toEqual([
      { name: 'us-west-1b', id: 'usw1-az1' },
      { name: 'us-west-1c', id: 'usw1-az3' },
    ]);
    expect(defaultZones('eu-west-3').map((zone) => zone.id)).toEqual(['euw3-az1', 'euw3-az2', 'euw3-az3']);
    const scenario = resolveScenario();
    expect(scenario.regions.map((region) => region.name)).toEqual([
      'us-west-1',
      'us-west-2',
      'us-east-1',
      'us-east-2',
      'eu-central-1',
    ]);
    expect(JSON.parse(JSON.stringify(scenario))).toEqual(scenario);
  });

  it('merges partial input with defaults', () => {
    const scenario = resolveScenario({
      seed: 9,
      regions: ['ap-south-1', { name: 'us-east-1', zones: [{ name: 'us-east-1a', id: 'use1-az9' }] }],
      delays: { boot: { minMs: 1 } },
      throttle: { describe: { capacity: 5 } },
    });
    expect(scenario.regions.map((region) => region.zones.length)).toEqual([3, 1]);
    expect(scenario.delays.boot).toEqual({ minMs: 1, maxMs: 1 });
    expect(scenario.delays.shutdown).toEqual({ minMs: 15_000, maxMs: 45_000 });
    expect(scenario.throttle.describe).toEqual({ capacity: 5, refillPerSecond: 20 });
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the refill rate', () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 4 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, false]);
    expect(bucket.take(250)).toBe(true);
    expect(bucket.take(250)).toBe(false);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([true, true, false]);
  });

  it('keeps one bucket per region and category', () => {
    const throttle = new RequestThrottle({
      describe: { capacity: 1, refillPerSecond: 0 },
      mutate: { capacity: 1, refillPerSecond: 0 },
    });
    expect(throttle.allow('us-east-1', 'DescribeInstances', 0)).toBe(true);
    expect(throttle.allow('us-east-1', 'DescribeImages', 0)).toBe(false);
    expect(throttle.allow('us-east-1', 'RunInstances', 0)).toBe(true);
    expect(throttle.allow('us-west-2', 'DescribeInstances', 0)).toBe(true);
  });
});

describe('EventLog', () => {
  it('numbers records, lists after a position and drops the oldest beyond its cap', () => {
    let now = 0;
    const log = new EventLog(() => now, 3);
    for (let i = 0; i < 5; i++) {
      now = i * 10;
      log.record('instance-launched', { region: 'r', index: i });
    }
    expect(log.total).toBe(5);
    expect(log.list().map((event) => event.seq)).toEqual([3, 4, 5]);
    expect(log.list({ afterSeq: 3 }).map((event) => event.time)).toEqual([30, 40]);
    expect(log.list({ limit: 1 })).toHaveLength(1);
    expect(log.list({ type: 'instance-running' })).toEqual([]);
  });
});

describe('setLongTimer', () => {
  it('chains waits longer than a clock timer can hold and can be cancelled midway', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    setLongTimer(clock, 90 * 24 * 3600_000, () => fired.push(clock.now()));
    const cancel = setLongTimer(clock, 60 * 24 * 3600_000, () => fired.push(-1));
    await clock.advanceBy(30 * 24 * 3600_000);
    cancel();
    await clock.runUntilIdle();
    expect(fired).toEqual([90 * 24 * 3600_000]);
  });
});
