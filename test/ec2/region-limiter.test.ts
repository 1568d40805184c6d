import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { RegionLimiter } from '../../src/ec2/region-limiter.js';

/** Runs `count` calls one after the other through the limiter; returns when each started (ms from t0). */
async function startTimes(clock: VirtualClock, limiter: RegionLimiter, count: number): Promise<number[]> {
  const t0 = clock.now();
  const times: number[] = [];
  const calls = (async () => {
    for (let i = 0; i < count; i++) {
      await limiter.run(async () => {
        times.push(clock.now() - t0);
      });
    }
  })();
  await clock.runUntilIdle({ until: t0 + 60_000 });
  await calls;
  return times;
}

describe('RegionLimiter', () => {
  const budget = { concurrency: 4, ratePerSecond: 10, burst: 2 };

  it('lets the burst go at once, then keeps to the rate', async () => {
    const clock = new VirtualClock(0);
    expect(await startTimes(clock, new RegionLimiter(clock, budget), 4)).toEqual([0, 0, 100, 200]);
  });

  it('halves its rate and spends its burst when EC2 throttles, then recovers with answered calls', async () => {
    const clock = new VirtualClock(0);
    const limiter = new RegionLimiter(clock, budget);
    limiter.throttled();
    expect(limiter.ratePerSecond).toBe(5);
    expect(await startTimes(clock, limiter, 2)).toEqual([200, 400]);
    limiter.throttled();
    limiter.throttled();
    expect(limiter.ratePerSecond).toBe(1.25);
    for (let i = 0; i < 100; i++) limiter.throttled();
    expect(limiter.ratePerSecond).toBe(0.5);
    for (let i = 0; i < 19; i++) limiter.answered();
    expect(limiter.ratePerSecond).toBe(10);
    limiter.answered();
    expect(limiter.ratePerSecond).toBe(10);
  });

  it('stops waiting for a slot or a token when the signal aborts, and keeps its slots counted', async () => {
    const clock = new VirtualClock(0);
    const limiter = new RegionLimiter(clock, { concurrency: 1, ratePerSecond: 1, burst: 1 });
    let release = () => {};
    const holding = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const reason = new Error('the iteration ran out of time');
    const waitingForSlot = limiter.run(async () => 'ran', controller.signal).catch((e: unknown) => e);
    controller.abort(reason);
    expect(await waitingForSlot).toBe(reason);
    release();
    await holding;
    // The slot is free again; the token is not (1 per second): this call waits for it, and is aborted.
    const other = new AbortController();
    const waitingForToken = limiter.run(async () => 'ran', other.signal).catch((e: unknown) => e);
    await clock.runUntilIdle({ until: 500 });
    other.abort(reason);
    expect(await waitingForToken).toBe(reason);
    const after = limiter.run(async () => 'ran');
    await clock.runUntilIdle({ until: 10_000 });
    expect(await after).toBe('ran');
  });
});
