import { afterEach, describe, expect, it, vi } from 'vitest';
import { RealClock } from '../../src/clock/clock.js';

describe('RealClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not fire a timer longer than 2^31-1 ms early', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    new RealClock().setTimer(40 * 24 * 3_600_000, fired);
    vi.advanceTimersByTime(30 * 24 * 3_600_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(10 * 24 * 3_600_000);
    expect(fired).toHaveBeenCalledOnce();
  });

  it('cancels a long timer between chunks', () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const cancel = new RealClock().setTimer(40 * 24 * 3_600_000, fired);
    vi.advanceTimersByTime(26 * 24 * 3_600_000);
    cancel();
    vi.advanceTimersByTime(20 * 24 * 3_600_000);
    expect(fired).not.toHaveBeenCalled();
  });

  it('sleeps and can be aborted', async () => {
    const clock = new RealClock();
    await expect(clock.sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });
});
