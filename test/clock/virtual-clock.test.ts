import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';

const START = Date.UTC(2024, 0, 1);

describe('VirtualClock', () => {
  it('starts at the given time and does not move by itself', async () => {
    const clock = new VirtualClock(START);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.now()).toBe(START);
  });

  it('fires due timers in time order, ties in scheduling order, each at its own time', async () => {
    const clock = new VirtualClock(START);
    const fired: string[] = [];
    const record = (name: string) => () => fired.push(`${name}@${clock.now() - START}`);
    clock.setTimer(300, record('c'));
    clock.setTimer(100, record('a'));
    clock.setTimer(100, record('b'));
    clock.setTimer(900, record('late'));
    await clock.advanceBy(500);
    expect(fired).toEqual(['a@100', 'b@100', 'c@300']);
    expect(clock.now()).toBe(START + 500);
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerAt()).toBe(START + 900);
  });

  it('fires timers scheduled by other timers within the same advance', async () => {
    const clock = new VirtualClock(START);
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now() - START);
      clock.setTimer(10, () => fired.push(clock.now() - START));
    });
    await clock.advanceBy(25);
    expect(fired).toEqual([10, 20]);
  });

  it('lets promise chains started by a timer settle before the next timer fires', async () => {
    const clock = new VirtualClock(START);
    const log: string[] = [];
    clock.setTimer(10, () => {
      void (async () => {
        await Promise.resolve();
        await Promise.resolve();
        log.push('chain done');
      })();
    });
    clock.setTimer(10, () => log.push('second timer'));
    await clock.advanceBy(10);
    expect(log).toEqual(['chain done', 'second timer']);
  });

  it('sleep resolves only when time reaches it and can be aborted', async () => {
    const clock = new VirtualClock(START);
    let woke = false;
    const sleeping = clock.sleep(1000).then(() => {
      woke = true;
    });
    await clock.advanceBy(999);
    expect(woke).toBe(false);
    await clock.advanceBy(1);
    await sleeping;
    expect(woke).toBe(true);

    const controller = new AbortController();
    const aborted = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancelled timers never fire', async () => {
    const clock = new VirtualClock(START);
    let fired = false;
    const cancel = clock.setTimer(10, () => {
      fired = true;
    });
    cancel();
    cancel();
    await clock.advanceBy(100);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("lets go of a cancelled timer's callback long before the timer would have come due", async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const clock = new VirtualClock();
    let held: WeakRef<object> | undefined;
    const cancel = (() => {
      const record = { instanceId: 'i-0123456789abcdef0', xml: 'x'.repeat(10_000) };
      held = new WeakRef(record);
      return clock.setTimer(7 * 24 * 3_600_000, () => record.instanceId);
    })();
    clock.setTimer(1_000, () => {});
    cancel();
    await clock.advanceBy(1_000);
    // WeakRef targets are kept for the rest of the current job: collect in a later one.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(held?.deref()).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runUntilIdle jumps from event to event and honours its bounds', async () => {
    const clock = new VirtualClock(START);
    const times: number[] = [];
    const tick = () => {
      times.push(clock.now() - START);
      clock.setTimer(60_000, tick);
    };
    clock.setTimer(60_000, tick);
    expect(await clock.runUntilIdle({ limit: 3 })).toBe(3);
    expect(times).toEqual([60_000, 120_000, 180_000]);
    expect(await clock.runUntilIdle({ until: START + 300_000 })).toBe(2);
    expect(clock.now()).toBe(START + 300_000);

    const idle = new VirtualClock(START);
    idle.setTimer(5, () => {});
    idle.setTimer(50, () => {});
    expect(await idle.runUntilIdle()).toBe(2);
    expect(idle.now()).toBe(START + 50);
    expect(await idle.runNext()).toBe(false);
  });

  it('rejects a second advance while one is running', async () => {
    const clock = new VirtualClock(START);
    clock.setTimer(10, () => {});
    const first = clock.advanceBy(20);
    await expect(clock.advanceBy(20)).rejects.toThrow('already advancing');
    await first;
    expect(clock.now()).toBe(START + 20);
  });

  it('runs a day of minute timers quickly', async () => {
    const clock = new VirtualClock(START);
    let count = 0;
    const tick = () => {
      count++;
      clock.setTimer(60_000, tick);
    };
    tick();
    await clock.advanceBy(24 * 3600_000);
    expect(count).toBe(24 * 60 + 1);
  });
});
