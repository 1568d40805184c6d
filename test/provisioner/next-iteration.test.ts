import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/clock/virtual-clock.js';
import { type DemandCheck, untilNextIteration } from '../../src/provisioner/next-iteration.js';

const START = Date.UTC(2024, 0, 1);

/** A demand check whose answers come from `answer(call)`, each after `takesMs` of virtual time. */
function check(clock: VirtualClock, answer: (call: number) => string | undefined | Error, takesMs = 0) {
  const calls: number[] = [];
  const demandCheck: DemandCheck = {
    everyMs: 15_000,
    outgrown: async () => {
      calls.push(clock.now() - START);
      if (takesMs > 0) await clock.sleep(takesMs);
      const result = answer(calls.length);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { demandCheck, calls };
}

async function wait(clock: VirtualClock, demandCheck?: DemandCheck, signal?: AbortSignal) {
  const next = untilNextIteration({ clock, lastStart: START, intervalMs: 60_000, demandCheck, signal }).then(
    (result) => ({ ...result, afterMs: clock.now() - START }),
  );
  await clock.runUntilIdle();
  return next;
}

describe('untilNextIteration', () => {
  it('without a demand check waits out the interval', async () => {
    const clock = new VirtualClock(START);
    expect(await wait(clock)).toEqual({ early: null, afterMs: 60_000 });
  });

  it('checks demand every 15 s and starts early at the first growth', async () => {
    const clock = new VirtualClock(START);
    const { demandCheck, calls } = check(clock, (call) => (call === 2 ? 'alpha' : undefined));
    expect(await wait(clock, demandCheck)).toEqual({ early: 'alpha', afterMs: 30_000 });
    expect(calls).toEqual([15_000, 30_000]);
  });

  it('never checks at or past the due time: a check there would only delay the iteration', async () => {
    const clock = new VirtualClock(START);
    const { demandCheck, calls } = check(clock, () => undefined);
    expect(await wait(clock, demandCheck)).toEqual({ early: null, afterMs: 60_000 });
    expect(calls).toEqual([15_000, 30_000, 45_000]);
  });

  it('treats a failing check as no growth and goes on checking', async () => {
    const clock = new VirtualClock(START);
    const { demandCheck, calls } = check(clock, (call) => (call === 1 ? new Error('queue down') : 'beta'));
    expect(await wait(clock, demandCheck)).toEqual({ early: 'beta', afterMs: 30_000 });
    expect(calls).toHaveLength(2);
  });

  it('starts checks at least 15 s apart, however long one takes', async () => {
    const clock = new VirtualClock(START);
    const { demandCheck, calls } = check(clock, () => undefined, 10_000);
    expect(await wait(clock, demandCheck)).toEqual({ early: null, afterMs: 60_000 });
    expect(calls).toEqual([15_000, 40_000]);
  });

  it('gives up a check still running when the iteration is due, and aborts its questions', async () => {
    const clock = new VirtualClock(START);
    let aborted: unknown;
    const demandCheck: DemandCheck = {
      everyMs: 15_000,
      outgrown: async (signal) => {
        signal?.addEventListener('abort', () => {
          aborted = signal.reason;
        });
        await clock.sleep(120_000);
        return 'too-late';
      },
    };
    expect(await wait(clock, demandCheck)).toEqual({ early: null, afterMs: 60_000 });
    expect(String(aborted)).toContain('the iteration is due');
  });

  it("leaves no listener on the runner's long-lived stop signal, wait after wait", async () => {
    const clock = new VirtualClock(START);
    const stop = new AbortController();
    const { demandCheck, calls } = check(clock, () => undefined);
    for (let i = 0; i < 3; i++) await wait(clock, demandCheck, stop.signal);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('returns at once when stopped, without an early start', async () => {
    const clock = new VirtualClock(START);
    const stop = new AbortController();
    const { demandCheck } = check(clock, () => {
      stop.abort(new Error('stopping'));
      return 'alpha';
    });
    expect(await wait(clock, demandCheck, stop.signal)).toEqual({ early: null, afterMs: 15_000 });
  });
});
