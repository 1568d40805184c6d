import { afterEach, describe, expect, it } from 'vitest';
import { BenchLoop } from '../../bench/bench-loop.js';
import { VirtualTimeDriver } from '../../bench/virtual-time-driver.js';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { SimulatedWorld } from '../../src/simulator/simulated-world.js';

const T0 = Date.UTC(2024, 0, 8);
const realDelay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('VirtualTimeDriver', () => {
  it('moves time to the timers the work waits on, firing the world timers on the way', async () => {
    const clock = new VirtualClock(T0);
    const fired: number[] = [];
    clock.setTimer(300, () => fired.push(clock.now()));
    const driver = new VirtualTimeDriver({ clock, probes: [] });
    const finishedAt = await driver.run(clock.sleep(5_000).then(() => clock.now()));
    expect(finishedAt).toBe(T0 + 5_000);
    expect(fired).toEqual([T0 + 300]);
  });

  it('keeps time still while real work is in flight', async () => {
    const clock = new VirtualClock(T0);
    clock.setTimer(500, () => {});
    let inFlight = 0;
    const driver = new VirtualTimeDriver({ clock, probes: [() => inFlight] });
    const work = async () => {
      inFlight = 1;
      await realDelay(30);
      inFlight = 0;
      const afterIo = clock.now();
      await clock.sleep(1_000);
      return { afterIo, end: clock.now() };
    };
    expect(await driver.run(work())).toEqual({ afterIo: T0, end: T0 + 1_000 });
  });

  it('passes the work’s failure on', async () => {
    const clock = new VirtualClock(T0);
    const driver = new VirtualTimeDriver({ clock, probes: [] });
    const failing = clock.sleep(10).then(() => {
      throw new Error('boom');
    });
    await expect(driver.run(failing)).rejects.toThrow('boom');
  });

  it('fails work that waits on neither I/O nor a timer', async () => {
    const clock = new VirtualClock(T0);
    const driver = new VirtualTimeDriver({ clock, probes: [], stallTimeoutMs: 50 });
    await expect(driver.run(new Promise(() => {}))).rejects.toThrow(/never finish/);
  });
});

describe('a pass of the real loop under the driver', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('sleeps through a throttled region and finishes, time advanced by the back-off', async () => {
    const clock = new VirtualClock(T0);
    const world = new SimulatedWorld({
      clock,
      scenario: { regions: ['us-west-2'], throttle: { enabled: false }, workers: { bootstrap: 'skip' } },
    });
    const server = await world.start();
    // Every call is throttled for the first 5 s of world time.
    world.ec2.faults.throttlingStorm({ region: 'us-west-2', durationMs: 5_000 });
    const loop = await BenchLoop.start({
      clock,
      worldUrl: server.url,
      provisionerId: 'driver-test',
      regions: ['us-west-2'],
      strategy: 'default',
      seed: 1,
      // Full jitter drawn at its top: each back-off is exactly 2 s.
      ec2Options: { baseDelayMs: 2_000, maxDelayMs: 2_000, random: () => 1 },
    });
    close = async () => {
      await loop.close();
      await world.stop();
    };
    const report = await loop.iterate();
    expect(report.outcome).toBe('success');
    // Throttled at 0 s, 2 s and 4 s; the storm is over by the fourth attempt at 6 s or a little later: each
    // throttled attempt halved the region's rate, which spaces the calls after the back-offs.
    expect(clock.now() - T0).toBeGreaterThanOrEqual(6_000);
    expect(clock.now() - T0).toBeLessThan(8_000);
    const describes = loop.calls.byAction.get('DescribeInstances');
    expect(describes).toMatchObject({ calls: 4, throttled: 3 });
    expect(loop.driver.timersFired).toBeGreaterThan(0);
  }, 60_000);
});
