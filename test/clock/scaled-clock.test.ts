import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScaledClock } from '../../src/clock/scaled-clock.js';

describe('ScaledClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    { factor: 1, realElapsed: 1000, expected: 1000 },
    { factor: 60, realElapsed: 1000, expected: 60_000 },
    { factor: 3600, realElapsed: 500, expected: 1_800_000 },
    { factor: 0.5, realElapsed: 1000, expected: 500 },
  ])('advances $factor x faster than real time', ({ factor, realElapsed, expected }) => {
    let real = 1_000_000;
    const clock = new ScaledClock({ factor, epochMs: 5_000, realNow: () => real });
    expect(clock.now()).toBe(5_000);
    real += realElapsed;
    expect(clock.now()).toBe(5_000 + expected);
  });

  it('rejects a factor that is not positive', () => {
    expect(() => new ScaledClock({ factor: 0 })).toThrow(RangeError);
    expect(() => new ScaledClock({ factor: Number.NaN })).toThrow(RangeError);
  });

  it('scales timers down by the factor and can cancel them', () => {
    vi.useFakeTimers();
    const clock = new ScaledClock({ factor: 60 });
    const fired: string[] = [];
    clock.setTimer(60_000, () => fired.push('minute'));
    const cancel = clock.setTimer(120_000, () => fired.push('cancelled'));
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['minute']);
    cancel();
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual(['minute']);
  });

  it('chains waits longer than setTimeout can hold instead of firing early', () => {
    vi.useFakeTimers();
    const clock = new ScaledClock({ factor: 1 });
    let fired = false;
    clock.setTimer(30 * 24 * 3600_000, () => {
      fired = true;
    });
    vi.advanceTimersByTime(25 * 24 * 3600_000);
    expect(fired).toBe(false);
    vi.advanceTimersByTime(5 * 24 * 3600_000);
    expect(fired).toBe(true);
  });

  it('sleep resolves after the scaled delay', async () => {
    vi.useFakeTimers();
    const clock = new ScaledClock({ factor: 100 });
    const done = vi.fn();
    void clock.sleep(10_000).then(done);
    await vi.advanceTimersByTimeAsync(99);
    expect(done).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toHaveBeenCalled();
  });
});
